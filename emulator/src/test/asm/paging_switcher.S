# Assembled into test-guests/paging_switcher.bin by the emulator module build (see pom.xml).
# Test guest (flat, loaded at 0x100000) that leaves the host's paging and stays off it: it loads CR3 with
# page tables of its own (0x300000..0x303fff, identity-mapping 0..2 MiB only) and then reads 0x3ff000,
# which its tables do not map, so its run ends at that fault with CR3 still its own.
    .code64
    .globl _start
_start:
    mov $0x300000, %rdi
    xor %eax, %eax
    mov $(4*4096/8), %ecx
    rep stosq
    movq $0x301003, 0x300000      # PML4[0] -> PDPT
    movq $0x302003, 0x301000      # PDPT[0] -> PD
    movq $0x303003, 0x302000      # PD[0] -> PT (0..2 MiB, identity)
    mov $0x303000, %rdi
    mov $3, %rax
    mov $512, %ecx
1:  mov %rax, (%rdi)
    add $0x1000, %rax
    add $8, %rdi
    dec %ecx
    jnz 1b
    mov $0x300000, %rax
    mov %rax, %cr3
    mov 0x3ff000, %al
    xor %eax, %eax
    xor %edi, %edi
    xor %esi, %esi
    outl %eax, $0xE0              # exit(0, 0): never reached
    jmp 2f
2:  hlt
