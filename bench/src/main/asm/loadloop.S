# Assembled into bench-guests/loadloop.bin by the bench module build (see pom.xml).
# Load-heavy benchmark guest (flat, loaded at 0x100000): sums a 256 KiB array at 0x400000 (small enough
# to stay in the TLB) REPS times with loads only, then exits with the sum.
    .code64
    .globl _start
    .set REPS, 8000
_start:
    mov $REPS, %r9
    xor %rax, %rax
1:  mov $0x400000, %rsi
    mov $8192, %rcx              # 256 KiB / 32 bytes per iteration
2:  add (%rsi), %rax
    add 8(%rsi), %rax
    add 16(%rsi), %rax
    add 24(%rsi), %rax
    add $32, %rsi
    dec %rcx
    jnz 2b
    dec %r9
    jnz 1b
    mov %rax, %rdi
    xor %esi, %esi
    xor %eax, %eax
    out %eax, $0xe0
3:  jmp 3b
