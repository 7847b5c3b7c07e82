/*
 * stream — a NetPerf-like producer (WORKLOADS.md, "stream"): generates a pseudo-random byte stream
 * chunk by chunk into a ring of pages and sends each chunk with the stream device. The result is the
 * CRC32C of the whole stream, so the host's CRC32C of what it received must equal it.
 * Progress unit = 1 KiB sent; a pass = one trip around the ring.
 */
#include "args.h"
#include "kernel.h"
#include "random.h"
#include "sched.h"
#include "workload.h"

#define CHUNK_MAX (1u << 20)   /* the most one stream send may carry (the host refuses more) */

/* CRC32C (Castagnoli), reflected polynomial, slicing by 8: crc_table[k][b] is the CRC of byte b
 * followed by k zero bytes. Built once at start (2048 stores). */
static uint32_t crc_table[8][256];

static void crc32c_init(void) {
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
        crc_table[0][b] = c;
    }
    for (uint32_t b = 0; b < 256; b++) {
        for (int k = 1; k < 8; k++) crc_table[k][b] = (crc_table[k - 1][b] >> 8) ^ crc_table[0][crc_table[k - 1][b] & 0xff];
    }
}

/* Feeds the 8 little-endian bytes of w; crc is the running register (not yet finally inverted). */
static inline uint32_t crc32c_word(uint32_t crc, uint64_t w) {
    uint32_t lo = crc ^ (uint32_t)w, hi = (uint32_t)(w >> 32);
    return crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^ crc_table[5][(lo >> 16) & 0xff] ^
           crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
           crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
}

static inline uint32_t crc32c_byte(uint32_t crc, uint8_t b) { return (crc >> 8) ^ crc_table[0][(crc ^ b) & 0xff]; }

uint64_t stream_run(void) {
    uint64_t bytes = arg_size("bytes", 16ULL << 20);
    uint64_t chunk = arg_size("chunk", 16ULL << 10);
    uint64_t ring_pages = arg_u64("ring", 16);
    args_reject_unused("stream");
    if (ring_pages == 0 || ring_pages > (1ULL << 32)) kfail(EXIT_BAD_ARGUMENT, "stream: ring=%lu is not in 1..2^32", ring_pages);
    uint64_t ring_bytes = ring_pages << PAGE_SHIFT;
    if (chunk == 0 || chunk % 8 || chunk > ring_bytes || chunk > CHUNK_MAX)
        kfail(EXIT_BAD_ARGUMENT, "stream: chunk=%lu must be a multiple of 8 in 8..%u and fit the ring (%lu bytes)",
              chunk, CHUNK_MAX, ring_bytes);

    uint8_t *ring = workload_alloc(ring_bytes, "stream ring");
    crc32c_init();
    kprintf("stream: start bytes %lu chunk %lu ring-pages %lu\n", bytes, chunk, ring_pages);

    uint64_t state = boot_info->seed, sent = 0, pos = 0, kib_pending = 0;
    uint32_t crc = 0xFFFFFFFFu;
    while (bytes == 0 || sent < bytes) {
        uint64_t len = bytes == 0 || bytes - sent > chunk ? chunk : bytes - sent;
        if (pos + len > ring_bytes) {
            pos = 0;
            progress_pass();
        }
        uint64_t *words = (uint64_t *)(ring + pos);
        uint64_t whole = len / 8;
        for (uint64_t k = 0; k < whole; k++) {
            uint64_t w = splitmix64_next(&state);
            words[k] = w;
            crc = crc32c_word(crc, w);
        }
        if (len % 8) {         /* the stream ends inside this word: keep only its first bytes */
            uint64_t w = splitmix64_next(&state);
            words[whole] = w;
            for (uint64_t b = 0; b < len % 8; b++) crc = crc32c_byte(crc, (uint8_t)(w >> (8 * b)));
        }
        uint64_t accepted = guest_stream_send(ring + pos, len);
        if (accepted != len) kfail(EXIT_BAD_HOST_INPUT, "stream: device took %lu of %lu bytes at offset %lu", accepted, len, sent);
        sent += len;
        pos += len;
        kib_pending += len;
        progress_add(kib_pending >> 10);
        kib_pending &= 1023;
        yield();
    }
    uint32_t result = crc ^ 0xFFFFFFFFu;
    kprintf("stream: done bytes %lu crc32c 0x%08x\n", sent, result);
    return result;
}
