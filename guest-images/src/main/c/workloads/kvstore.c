/*
 * kvstore — serves GET/PUT/DEL requests from the host's request ring (WORKLOADS.md, "kvstore"), with
 * a chained hash table in its own pages and values in kmalloc'ed buffers. Progress unit = one request;
 * a pass = 1024 requests.
 *
 * Each value buffer keeps sizeof(struct guest_kv_reply) bytes of headroom in front of the value, so a
 * GET reply is assembled in place and sent without copying the value.
 */
#include "args.h"
#include "kernel.h"
#include "kmalloc.h"
#include "random.h"
#include "sched.h"
#include "workload.h"

#define POLL_CAPACITY (64u * 1024)
#define REQUESTS_PER_PASS 1024
#define REQUEST_HEADER sizeof(struct guest_kv_request)
#define REPLY_HEADER sizeof(struct guest_kv_reply)

_Static_assert(sizeof(struct guest_kv_request) == 24, "kv request header");
_Static_assert(sizeof(struct guest_kv_reply) == 16, "kv reply header");

struct entry {
    struct entry *next;
    uint64_t key;
    uint64_t len;
    uint8_t *buf;              /* REPLY_HEADER bytes of headroom, then len bytes of value */
};

static struct entry **table;
static uint64_t buckets;
static uint64_t reply_hash = FNV64_OFFSET;

static struct entry **find(uint64_t key) {
    struct entry **link = &table[mix64(key) % buckets];
    while (*link && (*link)->key != key) link = &(*link)->next;
    return link;
}

static void reply(void *msg, uint64_t id, uint32_t status, uint32_t value_len) {
    struct guest_kv_reply header = {.id = id, .status = status, .value_len = value_len};
    memcpy(msg, &header, REPLY_HEADER);
    uint64_t len = REPLY_HEADER + value_len;
    reply_hash = fnv1a_bytes(reply_hash, msg, len);
    guest_ring_reply(msg, len);
}

static void *must_kmalloc(uint64_t size) {
    void *p = kmalloc(size);
    if (!p) kfail(EXIT_NO_MEMORY, "kvstore: out of memory for a %lu-byte value", size);
    return p;
}

uint64_t kvstore_run(void) {
    buckets = arg_u64("buckets", 8192);
    /* The host's request generator reads these; the guest just serves until the ring runs dry. */
    (void)arg_str("requests"), (void)arg_str("keys"), (void)arg_str("value-max");
    args_reject_unused("kvstore");
    if (buckets == 0 || buckets > (1ULL << 32)) kfail(EXIT_BAD_ARGUMENT, "kvstore: buckets=%lu is not in 1..2^32", buckets);

    uint8_t *requests = workload_alloc(POLL_CAPACITY, "kvstore ring buffer");
    table = workload_alloc(buckets * sizeof(*table), "kvstore table");
    memset(table, 0, buckets * sizeof(*table));
    kprintf("kvstore: start buckets %lu\n", buckets);

    uint64_t count = 0, gets = 0, hits = 0, puts = 0, dels = 0, keys = 0;
    uint8_t small_reply[REPLY_HEADER];
    uint64_t n;
    while ((n = guest_ring_poll(requests, POLL_CAPACITY)) != 0) {
        if (n > POLL_CAPACITY) kfail(EXIT_BAD_HOST_INPUT, "kvstore: poll returned %lu bytes, capacity %u", n, POLL_CAPACITY);
        for (uint64_t off = 0; off < n;) {
            struct guest_kv_request req;
            if (n - off < REQUEST_HEADER) kfail(EXIT_BAD_HOST_INPUT, "kvstore: truncated request header at byte %lu", off);
            memcpy(&req, requests + off, REQUEST_HEADER);
            off += REQUEST_HEADER;
            if (req.value_len > n - off)
                kfail(EXIT_BAD_HOST_INPUT, "kvstore: request %lu: value_len %u overruns the %lu bytes polled", req.id,
                      req.value_len, n);
            if (req.op != GUEST_KV_PUT && req.value_len != 0)
                kfail(EXIT_BAD_HOST_INPUT, "kvstore: request %lu: op %u carries a value", req.id, req.op);
            const uint8_t *value = requests + off;
            off += req.value_len;

            struct entry **link = find(req.key);
            struct entry *e = *link;
            switch (req.op) {
            case GUEST_KV_GET:
                gets++;
                if (e) {
                    hits++;
                    reply(e->buf, req.id, 0, (uint32_t)e->len);
                } else {
                    reply(small_reply, req.id, 1, 0);
                }
                break;
            case GUEST_KV_PUT: {
                puts++;
                uint8_t *buf = must_kmalloc(REPLY_HEADER + req.value_len);
                memcpy(buf + REPLY_HEADER, value, req.value_len);
                if (!e) {
                    e = must_kmalloc(sizeof(*e));
                    e->next = NULL, e->key = req.key, e->buf = NULL;
                    *link = e;
                    keys++;
                }
                kfree(e->buf);
                e->buf = buf, e->len = req.value_len;
                reply(small_reply, req.id, 0, 0);
                break;
            }
            case GUEST_KV_DEL:
                dels++;
                if (e) {
                    *link = e->next;
                    kfree(e->buf);
                    kfree(e);
                    keys--;
                    reply(small_reply, req.id, 0, 0);
                } else {
                    reply(small_reply, req.id, 1, 0);
                }
                break;
            default:
                kfail(EXIT_BAD_HOST_INPUT, "kvstore: request %lu: unknown op %u", req.id, req.op);
            }
            count++;
            progress_add(1);
            if (count % REQUESTS_PER_PASS == 0) progress_pass();
        }
        yield();
    }
    kprintf("kvstore: done requests %lu gets %lu hits %lu puts %lu dels %lu keys %lu result 0x%016lx\n", count, gets,
            hits, puts, dels, keys, reply_hash);
    return reply_hash;
}
