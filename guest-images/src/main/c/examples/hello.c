/*
 * hello.c — the smallest useful guest: it needs nothing but guest_abi.h.
 *
 * Build it like the images in this directory (see GUIDE.md), for example:
 *   gcc -ffreestanding -fno-pic -no-pie -mno-red-zone -mgeneral-regs-only -nostdlib -static -O2 \
 *       -fno-stack-protector -fno-builtin -I include -T guest.ld -o hello.elf hello.c
 *   objcopy -O binary hello.elf hello.bin      # flat image: the entry point is its first byte
 * and run it with `bin/vmm run --image hello.elf` (or `--image hello.bin --format flat`).
 */
#include "guest_abi.h"

/* The entry stub: the host has set RSP and RDI (the boot-info pointer). Placed in .text.entry so that
 * the linker script puts it at the image's first byte. */
__asm__(".section .text.entry, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "    andq $-16, %rsp\n"
        "    call hello_main\n"
        "1:  ud2\n"
        "    jmp 1b\n"
        ".previous\n");

static const char message[] = "hello from a user guest\n";

__attribute__((noreturn, used)) void hello_main(const struct guest_boot_info *boot_info) {
    (void)boot_info;
    guest_write(message, sizeof message - 1);
    guest_exit(42, 0);
}
