/*
 * hello.c — the smallest useful guest: it needs nothing but guest_abi.h.
 *
 * Build and run it (GUIDE.md, "Building"), from the repository's root:
 *   guest-images/build-guest -o hello.elf --flat hello.bin guest-images/src/main/c/examples/hello.c
 *   bin/vmm run --image hello.elf                  # or: --image hello.bin --format flat
 */
#include "guest_abi.h"

/* _start, at the image's first byte: aligns the stack and calls hello_main(boot_info). */
GUEST_ENTRY(hello_main);

static const char message[] = "hello from a user guest\n";

__attribute__((noreturn, used)) void hello_main(const struct guest_boot_info *boot_info) {
    (void)boot_info;
    guest_write(message, sizeof message - 1);
    guest_exit(42, 0);
}
