/*
 * balloon.h — the guest side of dynamic self-ballooning: the guest lends its free pages to the host, so
 * a migration need not send them, and takes them back when it needs memory (the port is
 * GUEST_PORT_BALLOON in guest_abi.h). Linked into kernel.elf like the kernel's other code; the host
 * side (the balloon device and its policies) is the balloon-driver module.
 *
 * With dsb=on, the driver wakes every dsb-interval of virtual time, reports its free pages to the host,
 * and inflates or deflates toward the size the host's policy answers, keeping dsb-reserve free. Under
 * memory pressure it deflates at once: the page allocator calls balloon_claim after every allocation,
 * and any ballooned page among those just allocated comes back from the host (as zeros) before the
 * caller sees it; when free memory falls under the reserve, more come back. With dsb=off (the default)
 * the driver never makes a hypercall.
 *
 * The driver keeps everything it writes in its own area, taken from the allocator at boot whether dsb
 * is on or off (so that no other address depends on dsb), and runs on its own stack there: a run with
 * dsb=on leaves every page outside that area as a run with dsb=off would, apart from pages in or back
 * from the balloon. Layout of the area, from its first page: state (1 page), inflate/deflate batch
 * (1 page), stack (4 pages), bitmap of ballooned pages (ceil(allocator pages / 32768) pages).
 */
#ifndef BALLOON_H
#define BALLOON_H

#include <stdint.h>

/* Called once by kmain right after page_alloc_init, dsb on or off: takes the driver's area and reads
 * dsb=, dsb-interval= and dsb-reserve= (a bad value fails the run with EXIT_BAD_ARGUMENT). */
void balloon_init(void);

/* The timer (balloon_entry.S). progress_flush calls it with the units it just reported: each unit has
 * moved the virtual clock by GUEST_CLOCK_NS_PER_UNIT at least, so the driver reads the clock only when
 * that lower bound reaches its next deadline. Costs a few instructions otherwise. */
void balloon_tick(uint64_t units);

/* The pressure hook (balloon_entry.S). The allocator calls it right after it marked its pages
 * [index, index + n) in use. Returns at once while the balloon is empty. */
void balloon_claim(uint64_t index, uint64_t n);

#endif /* BALLOON_H */
