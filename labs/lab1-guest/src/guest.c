/*
 * Lab 1: your guest program. It runs alone on a machine of its own, with no C library: the only way out is
 * the guest ABI (guest-images/include/guest_abi.h). See the lab's README.md.
 */
#include "guest_abi.h"

GUEST_ENTRY(lab_main);

__attribute__((noreturn, used)) void lab_main(const struct guest_boot_info *bi) {
    static const char hello[] = "lab1: hello\n";
    (void)bi;
    guest_write(hello, sizeof hello - 1);
    /* TODO: do work worth migrating (write memory, pass after pass), report it with guest_counter_add,
     * and end with a result that depends on every write. */
    guest_exit(0, 0);
}
