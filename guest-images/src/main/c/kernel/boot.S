/*
 * boot.S — the entry point and the task context switch.
 *
 * Entry state (guest_abi.h): long mode, identity paging, RSP = boot_info.stack_top,
 * RDI = GUEST_BOOT_INFO_GPA. The loader has zero-filled .bss.
 */
    .section .text.entry, "ax"
    .globl _start
_start:
    andq    $-16, %rsp              /* SysV: 16-byte aligned before the call */
    call    kmain                   /* never returns; RDI still holds the boot-info pointer */
1:  ud2
    jmp     1b

/*
 * void ctx_switch(uint64_t *save_rsp, uint64_t next_rsp)
 * Saves the callee-saved registers on the current stack, stores RSP in *save_rsp, and resumes the
 * context whose stack pointer is next_rsp (laid out the same way; see sched.c for a new task's frame).
 */
    .text
    .globl ctx_switch
ctx_switch:
    pushq   %rbp
    pushq   %rbx
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    movq    %rsp, (%rdi)
    movq    %rsi, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbx
    popq    %rbp
    ret

    .section .note.GNU-stack, "", @progbits
