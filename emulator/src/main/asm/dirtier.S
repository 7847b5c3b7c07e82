# Assembled into emulator-guests/dirtier.bin by the emulator module build (see pom.xml) and driven by
# org.migrationlab.emulator.dirtier.DirtierGuest. A flat guest, loaded at 0x100000: it writes the pages
# the host lists, then rings a doorbell.
# Command block at 0x200000: u64 count, then count u64 page numbers. Doorbell of round r: page 0x300 + (r & 0xff).
# Each round: for each listed page p, increment the qword at p*4096 + 8*(round & 7); then read the
# round's doorbell page (the host keeps it absent, so the read faults and the host gets control).
# A count of -1 makes the guest execute ud2 (a guest crash).
    .code64
    .globl _start
_start:
    xor %r8, %r8                 # round counter
1:  mov $0x200000, %rsi
    mov (%rsi), %rcx
    cmp $-1, %rcx                # count -1: crash on purpose
    je 4f
    lea 8(%rsi), %rdi
    mov %r8, %rdx
    and $7, %rdx
    shl $3, %rdx
2:  test %rcx, %rcx
    jz 3f
    mov (%rdi), %rax
    shl $12, %rax
    addq $1, (%rax,%rdx)
    add $8, %rdi
    dec %rcx
    jmp 2b
3:  mov %r8, %rax
    and $0xff, %rax
    shl $12, %rax
    mov 0x300000(%rax), %al
    inc %r8
    jmp 1b
4:  ud2
