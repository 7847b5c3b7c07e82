# Assembled into test-guests/console_flood.bin by the emulator module build (see pom.xml).
# Test guest (flat, loaded at 0x100000) that floods the console without ever ending a line: it fills
# 64 KiB at 0x200000 with 'A' and writes them to the console (port 0xE1, operation 1) as many times as
# the u64 the host put at 0x1ff000 says, then exits with result = that count, status 0.
    .code64
    .globl _start
_start:
    mov $0x200000, %rdi
    mov $0x41, %al
    mov $65536, %ecx
    rep stosb
    mov 0x1ff000, %r12
    mov %r12, %r13
1:  test %r12, %r12
    jz 3f
    mov $0x200000, %rdi
    mov $65536, %rsi
    mov $1, %eax
    outl %eax, $0xE1              # console write(0x200000, 64 KiB)
    jmp 2f
2:  dec %r12
    jmp 1b
3:  mov %r13, %rdi
    xor %esi, %esi
    xor %eax, %eax
    outl %eax, $0xE0              # exit(count, 0)
    jmp 4f
4:  hlt
