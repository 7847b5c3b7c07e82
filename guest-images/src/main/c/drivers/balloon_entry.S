/*
 * balloon_entry.S — the balloon driver's entry points from the kernel's hot paths, and its stack switch.
 *
 * balloon_tick and balloon_claim are called unconditionally (from progress_flush and the page
 * allocator) and decide here, in a few instructions, whether the driver has anything to do. When it
 * has, the C code (balloon.c) runs on the driver's own stack, and every register the C code may change
 * is put back before returning. So with dsb=on the caller sees what it would see with dsb=off: the same
 * bytes on its stack (only the return address of the call, which is the same either way) and the same
 * registers, which matters because dead scratch registers do reach memory (a variadic function's
 * prologue stores all six argument registers). RAX on return is the driver's state pointer (or 0 before
 * balloon_init) and, from balloon_tick, RDX = units * GUEST_CLOCK_NS_PER_UNIT, whichever path ran.
 *
 * Not re-entrant: the driver's C code never allocates memory and never reports progress.
 * The offsets below are those of struct balloon_state (balloon.c checks them).
 */
#include "guest_abi.h"

#define STATE_HELD          0
#define STATE_BUDGET_NS     8
#define STATE_STACK_TOP     16
#define STATE_SAVED_RSP     24

/* RAX = the driver's state. Calls \target (a symbol, or *%rdi) with the caller's RDI and RSI on the
 * driver's stack, preserving every other register but RAX, which is reloaded with the state pointer. */
.macro ON_DRIVER_STACK target
    movq    %rsp, STATE_SAVED_RSP(%rax)
    movq    STATE_STACK_TOP(%rax), %rsp
    pushq   %rcx
    pushq   %rdx
    pushq   %rsi
    pushq   %rdi
    pushq   %r8
    pushq   %r9
    pushq   %r10
    pushq   %r11                        /* 8 pushes: RSP stays 16-byte aligned for the call (SysV) */
    call    \target
    popq    %r11
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rdi
    popq    %rsi
    popq    %rdx
    popq    %rcx
    movq    balloon_area(%rip), %rax
    movq    STATE_SAVED_RSP(%rax), %rsp
.endm

    .text

/* void balloon_tick(uint64_t units) */
    .globl balloon_tick
    .type balloon_tick, @function
balloon_tick:
    movq    balloon_area(%rip), %rax
    testq   %rax, %rax
    jz      9f
    imulq   $GUEST_CLOCK_NS_PER_UNIT, %rdi, %rdx
    cmpq    STATE_BUDGET_NS(%rax), %rdx
    jae     1f                          /* the clock may have reached the deadline: look */
    subq    %rdx, STATE_BUDGET_NS(%rax)
9:  ret
1:  ON_DRIVER_STACK balloon_wake
    ret
    .size balloon_tick, . - balloon_tick

/* void balloon_claim(uint64_t index, uint64_t n) */
    .globl balloon_claim
    .type balloon_claim, @function
balloon_claim:
    movq    balloon_area(%rip), %rax
    testq   %rax, %rax
    jz      9f
    cmpq    $0, STATE_HELD(%rax)
    jne     1f                          /* something is ballooned: it may be among these pages */
9:  ret
1:  ON_DRIVER_STACK balloon_pressure
    ret
    .size balloon_claim, . - balloon_claim

/* void balloon_call(void (*fn)(void)): runs fn on the driver's stack (balloon_area must be set). */
    .globl balloon_call
    .type balloon_call, @function
balloon_call:
    movq    balloon_area(%rip), %rax
    ON_DRIVER_STACK *%rdi
    ret
    .size balloon_call, . - balloon_call

    .section .note.GNU-stack, "", @progbits
