/*
 * guest_abi.h — the contract between a guest program and the migrationlab machine.
 *
 * A guest is a freestanding x86-64 program (ELF64 with PT_LOAD segments, or a flat binary loaded at
 * GUEST_FLAT_LOAD_GPA) that runs in 64-bit long mode with host-owned identity paging:
 * guest-virtual address == guest-physical address for every byte of RAM [0, ram_bytes), except page 0,
 * which is never mapped (a null-pointer guard). The guest never touches CR3, has no IDT and takes no
 * interrupts: any CPU exception it raises is reported to the host as a guest crash. The host's page
 * tables are read-only to the guest (a write is a PAGE_TABLE_WRITE crash), a guest found running on
 * page tables of its own or with CR0 changed is stopped (PAGING_CHANGED), and a guest that loads segment
 * registers cannot be migrated.
 *
 * Entry state:  RIP = ELF entry (flat: GUEST_FLAT_LOAD_GPA), RSP = boot_info.stack_top,
 *               RDI = GUEST_BOOT_INFO_GPA, all other general registers zero, RFLAGS = 0x2.
 * Entry point:  GUEST_ENTRY(fn) below defines _start in section .text.entry, which the linker script
 *               (guest-images/src/main/c/guest.ld) places first, at GUEST_IMAGE_BASE_GPA.
 * Build with:   guest-images/build-guest -o my_guest.elf my_guest.c (GUIDE.md, "Building"): the one
 *               recipe, with the compiler flags (build-guest --cflags) and the link (guest.ld) that
 *               every guest of this project is built with. Freestanding, no SSE, no red zone.
 *
 * Hypercalls: `outl %eax, $PORT` — EAX holds the operation, RDI/RSI/RDX hold up to three arguments,
 * the host writes the result into RAX before the next instruction. Each device owns one port.
 * The `out` must be followed at once by a jump (`jmp 1f; 1:`), as GUEST_HYPERCALL does: hypercalls
 * are where the host pauses a running guest, and the jump ends the emulator's translated block there,
 * which makes the pause exact. A guest is pausable only at hypercalls and page faults, so a guest that
 * runs for long should make one now and then (reporting progress is the natural one).
 * An unknown port or operation is a guest error: the machine stops with a guest-crash exit.
 *
 * Buffers: a buffer passed to a hypercall must be present when the call is made — the host reads and
 * writes guest RAM directly and does not page it in. The helpers below touch every page of a buffer
 * first (a read for buffers the host reads, a write for buffers the host fills), so a guest whose pages
 * arrive on demand (post-copy) faults them in before the call. The host refuses a buffer that is not
 * present with a guest-crash exit rather than read stale bytes.
 *
 * Time: the guest sees time only through the virtual clock (GUEST_PORT_CLOCK). It advances with the
 * guest's own reported progress, never with wall time, so a run is deterministic and its results do not
 * depend on when, how or whether it was migrated.
 */
#ifndef GUEST_ABI_H
#define GUEST_ABI_H

#ifdef __ASSEMBLER__
#define GUEST_U64(x) x
#else
#include <stdint.h>
#define GUEST_U64(x) x##ULL
#endif

#define GUEST_ABI_VERSION 1u
#define GUEST_PAGE_SIZE 4096u

/* ---- Memory layout (guest-physical == guest-virtual) ---------------------------------------- */
#define GUEST_BOOT_INFO_GPA   GUEST_U64(0x1000)    /* one page, written by the host before entry   */
#define GUEST_STACK_TOP_GPA   GUEST_U64(0x80000)   /* initial stack grows down from here           */
#define GUEST_STACK_LOW_GPA   GUEST_U64(0x10000)   /* lowest byte the boot stack may use           */
#define GUEST_IMAGE_BASE_GPA  GUEST_U64(0x100000)  /* ELF images are linked here, flat ones loaded  */
#define GUEST_FLAT_LOAD_GPA   GUEST_IMAGE_BASE_GPA
#define GUEST_MIN_RAM_BYTES   GUEST_U64(0x400000)  /* 4 MiB                                        */

#define GUEST_BOOT_MAGIC      GUEST_U64(0x31544f4f42424c4d) /* "MLBBOOT1" little-endian          */
#define GUEST_WORKLOAD_NAME_MAX 32
#define GUEST_ARGS_MAX        3840

#ifndef __ASSEMBLER__
/* The boot-info page. Little-endian, fixed layout (offsets are part of the ABI). */
struct guest_boot_info {
    uint64_t magic;          /*   0: GUEST_BOOT_MAGIC                                            */
    uint32_t abi_version;    /*   8: GUEST_ABI_VERSION                                           */
    uint32_t size;           /*  12: sizeof(struct guest_boot_info)                              */
    uint64_t ram_bytes;      /*  16: RAM is [0, ram_bytes)                                       */
    uint64_t image_start;    /*  24: first byte occupied by the loaded image                     */
    uint64_t image_end;      /*  32: one past the last byte of the image, including .bss         */
    uint64_t stack_top;      /*  40: initial RSP                                                 */
    uint64_t free_start;     /*  48: first page-aligned byte the guest may allocate from         */
    uint64_t seed;           /*  56: seed for every pseudo-random choice the guest makes         */
    char workload[GUEST_WORKLOAD_NAME_MAX]; /* 64: NUL-terminated workload name ("" = default)   */
    uint32_t args_len;       /*  96: bytes used in args, including the final empty string        */
    uint32_t reserved;       /* 100: zero                                                        */
    char args[GUEST_ARGS_MAX]; /* 104: "key=value\0key=value\0\0"                                */
};
_Static_assert(sizeof(struct guest_boot_info) == 104 + GUEST_ARGS_MAX, "boot info layout");
_Static_assert(sizeof(struct guest_boot_info) <= GUEST_PAGE_SIZE, "boot info fits a page");
#endif

/* ---- Devices: one I/O port each ------------------------------------------------------------- */
#define GUEST_PORT_EXIT      0xE0  /* op 0: exit(RDI = result, RSI = status: 0 ok, else failure)   */
#define GUEST_PORT_CONSOLE   0xE1  /* op 0: putc(RDI = byte); op 1: write(RDI = gpa, RSI = len)     */
#define GUEST_PORT_CLOCK     0xE2  /* op 0: now() -> RAX = virtual nanoseconds                     */
                                   /* op 1: advance(RDI = ns) -> RAX = now; idle time, e.g. sleep   */
#define GUEST_PORT_COUNTERS  0xE3  /* op 0: add(RDI = counter id 0..15, RSI = delta) -> RAX = value */
#define GUEST_PORT_RING      0xE4  /* op 0: poll(RDI = gpa, RSI = capacity) -> RAX = request bytes  */
                                   /*       written at gpa, 0 when the request stream has ended     */
                                   /* op 1: reply(RDI = gpa, RSI = len) -> RAX = 0                  */
#define GUEST_PORT_STREAM    0xE5  /* op 0: send(RDI = gpa, RSI = len) -> RAX = len                 */
#define GUEST_PORT_BALLOON   0xE6  /* op 0: query(RDI = free pages, RSI = total pages,              */
                                   /*       RDX = reserve pages) -> RAX = target balloon size (pages) */
                                   /* op 1: inflate(RDI = gpa, RSI = count) -> RAX = pages accepted  */
                                   /* op 2: deflate(RDI = gpa, RSI = count, RDX = reason)            */
                                   /*       -> RAX = pages given back                                */

/* Limits the host enforces; a call beyond them is a guest error (the machine stops with a crash). */
#define GUEST_CONSOLE_WRITE_MAX  65536u    /* bytes per console write                             */
#define GUEST_STREAM_SEND_MAX    1048576u  /* bytes per stream send                               */
#define GUEST_RING_REPLY_MAX     (16u + 65536u) /* bytes per ring reply (header + value)           */
#define GUEST_BALLOON_BATCH_MAX  512u      /* page numbers per inflate or deflate                 */
/* Ring protocol: each poll delivers at most one request; the guest replies to it before it polls
 * again (a poll with a reply outstanding counts as a protocol mismatch on the host); a poll buffer too
 * small for the next request is a guest error. Requests are generated from boot_info.seed. */

#define GUEST_OP_EXIT            0
#define GUEST_OP_CONSOLE_PUTC    0
#define GUEST_OP_CONSOLE_WRITE   1
#define GUEST_OP_CLOCK_NOW       0
#define GUEST_OP_CLOCK_ADVANCE   1
#define GUEST_OP_COUNTER_ADD     0
#define GUEST_OP_RING_POLL       0
#define GUEST_OP_RING_REPLY      1
#define GUEST_OP_STREAM_SEND     0
#define GUEST_OP_BALLOON_QUERY   0
#define GUEST_OP_BALLOON_INFLATE 1
#define GUEST_OP_BALLOON_DEFLATE 2

/* Balloon (GUEST_PORT_BALLOON): the guest lends free pages to the host and takes them back.
 * - query: the guest reports its free pages (not counting the balloon), the pages its allocator manages
 *   and the reserve it keeps free; the host's policy answers how many pages the balloon should hold now.
 *   The guest then inflates or deflates toward that, in batches; it may do less (it keeps its reserve).
 * - inflate: RDI = gpa of an array of RSI little-endian u64 page numbers (gpa >> 12), RSI <= BATCH_MAX.
 *   RAX = n means the first n pages are the host's now: absent, their contents discarded; any guest
 *   access to one is a guest bug (the machine stops with a crash naming the page). The pages after the
 *   first n stay the guest's. The host accepts 0 while its balloon is frozen (during a migration).
 * - deflate: same array; RAX = n means the first n pages are the guest's again, as pages of zeros.
 *   RDX says why: GUEST_BALLOON_DEFLATE_TARGET (toward the host's target) or _PRESSURE (the guest
 *   needs the memory now; the host's policy then holds off inflating for a while).
 * Every listed page must be inside RAM, not page 0, listed once, and present (inflate) or in the
 * balloon (deflate); the array itself must be present. Anything else is a guest error (a crash).
 * The kernel's driver (guest-images/src/main/c/drivers/balloon.c) uses this port only when booted with dsb=on
 * (WORKLOADS.md, "Kernel arguments"); a machine without a balloon device treats it as an unknown port. */
#define GUEST_BALLOON_DEFLATE_TARGET   0
#define GUEST_BALLOON_DEFLATE_PRESSURE 1

/* Virtual clock rules: every unit added to any counter advances the clock by 1000 ns; every clock
 * read advances it by 10 ns (so a guest that polls the clock always sees it move). */
#define GUEST_CLOCK_NS_PER_UNIT  1000
#define GUEST_CLOCK_NS_PER_READ  10

/* Counter ids with a fixed meaning; others are free for the workload. */
#define GUEST_COUNTER_PROGRESS   0   /* the workload's main unit of progress (ops, pages, requests) */
#define GUEST_COUNTER_PASSES     1   /* completed passes / sweeps / rounds                          */
#define GUEST_COUNTERS           16

/* Request ring records (GUEST_PORT_RING), little-endian, written by the host at the poll gpa. */
#define GUEST_KV_GET 1
#define GUEST_KV_PUT 2
#define GUEST_KV_DEL 3
#ifndef __ASSEMBLER__
struct guest_kv_request {
    uint32_t op;         /* GUEST_KV_GET / PUT / DEL                                 */
    uint32_t value_len;  /* PUT: bytes of value that follow this header; else 0       */
    uint64_t key;
    uint64_t id;         /* request sequence number, starting at 0                   */
    /* uint8_t value[value_len]; */
};
/* The reply (GUEST_OP_RING_REPLY) for request id: */
struct guest_kv_reply {
    uint64_t id;
    uint32_t status;     /* 0 = found/stored/deleted, 1 = not found                 */
    uint32_t value_len;  /* GET found: bytes of value that follow                   */
    /* uint8_t value[value_len]; */
};

/* ---- Entry point ---------------------------------------------------------------------------- */
/* GUEST_ENTRY(fn), at file scope: defines _start in section .text.entry, which guest.ld puts at the
 * image's first byte (so the same link serves an ELF and a flat image). It aligns the stack and calls
 * `void fn(const struct guest_boot_info *boot_info)` with the host's RDI; fn must never return (it ends
 * with guest_exit; a return would execute ud2, a guest crash). Declare fn with
 * __attribute__((noreturn, used)): only this assembly refers to it. */
#define GUEST_ENTRY(fn)                                                                            \
    __asm__(".section .text.entry, \"ax\"\n"                                                       \
            ".globl _start\n"                                                                      \
            "_start:\n"                                                                            \
            "    andq $-16, %rsp\n"                                                                \
            "    call " #fn "\n"                                                                   \
            "1:  ud2\n"                                                                            \
            "    jmp 1b\n"                                                                         \
            ".previous\n")

/* ---- Hypercall helpers ---------------------------------------------------------------------- */
#define GUEST_HYPERCALL(port, op, a0, a1, a2) ({                                                 \
        uint64_t guest_rax_ = (uint32_t)(op);                                                     \
        __asm__ volatile("outl %%eax, %[p]\n\tjmp 1f\n1:"                                     \
                         : "+a"(guest_rax_)                                                       \
                         : [p] "i"(port), "D"((uint64_t)(a0)), "S"((uint64_t)(a1)),               \
                           "d"((uint64_t)(a2))                                                    \
                         : "memory");                                                             \
        guest_rax_; })

/* Touch every page of [buf, buf+len) so it is present before the host accesses it. */
static inline void guest_touch_read(const void *buf, uint64_t len) {
    if (len == 0) return;
    const volatile uint8_t *p = (const volatile uint8_t *)buf;
    uint64_t first = (uintptr_t)p & ~(uint64_t)(GUEST_PAGE_SIZE - 1);
    uint64_t last = ((uintptr_t)p + len - 1) & ~(uint64_t)(GUEST_PAGE_SIZE - 1);
    (void)p[0];
    for (uint64_t page = first + GUEST_PAGE_SIZE; page <= last; page += GUEST_PAGE_SIZE)
        (void)*(const volatile uint8_t *)(uintptr_t)page;
}
static inline void guest_touch_write(void *buf, uint64_t len) {
    if (len == 0) return;
    volatile uint8_t *p = (volatile uint8_t *)buf;
    uint64_t first = (uintptr_t)p & ~(uint64_t)(GUEST_PAGE_SIZE - 1);
    uint64_t last = ((uintptr_t)p + len - 1) & ~(uint64_t)(GUEST_PAGE_SIZE - 1);
    p[0] = p[0];
    for (uint64_t page = first + GUEST_PAGE_SIZE; page <= last; page += GUEST_PAGE_SIZE) {
        volatile uint8_t *q = (volatile uint8_t *)(uintptr_t)page;
        *q = *q;
    }
}

static inline __attribute__((noreturn)) void guest_exit(uint64_t result, uint64_t status) {
    GUEST_HYPERCALL(GUEST_PORT_EXIT, GUEST_OP_EXIT, result, status, 0);
    for (;;) __asm__ volatile("" ::: "memory");
}
static inline void guest_putc(char c) { GUEST_HYPERCALL(GUEST_PORT_CONSOLE, GUEST_OP_CONSOLE_PUTC, (uint8_t)c, 0, 0); }
static inline void guest_write(const void *buf, uint64_t len) {
    guest_touch_read(buf, len);
    GUEST_HYPERCALL(GUEST_PORT_CONSOLE, GUEST_OP_CONSOLE_WRITE, (uintptr_t)buf, len, 0);
}
static inline uint64_t guest_clock_ns(void) { return GUEST_HYPERCALL(GUEST_PORT_CLOCK, GUEST_OP_CLOCK_NOW, 0, 0, 0); }
static inline uint64_t guest_clock_advance(uint64_t ns) {
    return GUEST_HYPERCALL(GUEST_PORT_CLOCK, GUEST_OP_CLOCK_ADVANCE, ns, 0, 0);
}
static inline uint64_t guest_counter_add(uint32_t id, uint64_t delta) {
    return GUEST_HYPERCALL(GUEST_PORT_COUNTERS, GUEST_OP_COUNTER_ADD, id, delta, 0);
}
static inline uint64_t guest_ring_poll(void *buf, uint64_t capacity) {
    guest_touch_write(buf, capacity);
    return GUEST_HYPERCALL(GUEST_PORT_RING, GUEST_OP_RING_POLL, (uintptr_t)buf, capacity, 0);
}
static inline void guest_ring_reply(const void *buf, uint64_t len) {
    guest_touch_read(buf, len);
    GUEST_HYPERCALL(GUEST_PORT_RING, GUEST_OP_RING_REPLY, (uintptr_t)buf, len, 0);
}
static inline uint64_t guest_stream_send(const void *buf, uint64_t len) {
    guest_touch_read(buf, len);
    return GUEST_HYPERCALL(GUEST_PORT_STREAM, GUEST_OP_STREAM_SEND, (uintptr_t)buf, len, 0);
}
static inline uint64_t guest_balloon_query(uint64_t free_pages, uint64_t total_pages, uint64_t reserve_pages) {
    return GUEST_HYPERCALL(GUEST_PORT_BALLOON, GUEST_OP_BALLOON_QUERY, free_pages, total_pages, reserve_pages);
}
static inline uint64_t guest_balloon_inflate(const uint64_t *pages, uint64_t count) {
    guest_touch_read(pages, count * 8);
    return GUEST_HYPERCALL(GUEST_PORT_BALLOON, GUEST_OP_BALLOON_INFLATE, (uintptr_t)pages, count, 0);
}
static inline uint64_t guest_balloon_deflate(const uint64_t *pages, uint64_t count, uint64_t reason) {
    guest_touch_read(pages, count * 8);
    return GUEST_HYPERCALL(GUEST_PORT_BALLOON, GUEST_OP_BALLOON_DEFLATE, (uintptr_t)pages, count, reason);
}
#endif /* !__ASSEMBLER__ */
#endif /* GUEST_ABI_H */
