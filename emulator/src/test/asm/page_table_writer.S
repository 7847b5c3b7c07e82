# Assembled into test-guests/page_table_writer.bin by the emulator module build (see pom.xml).
# Test guest (flat, loaded at 0x100000) that attacks the host's page tables: it builds page tables of its
# own in RAM (0x300000..0x305fff) that identity-map 0..2 MiB and map guest-virtual 256 GiB onto the host's
# page-table segment (guest-physical 256 GiB), loads CR3 with them, writes 0x5a5a into the host's PML4
# entry 1, switches back to the host's CR3 and exits with result 0, status 0. The host must stop it.
    .code64
    .globl _start
_start:
    mov $0x300000, %rdi
    xor %eax, %eax
    mov $(6*4096/8), %ecx
    rep stosq
    movq $0x301003, 0x300000      # PML4[0] -> PDPT
    movq $0x302003, 0x301000      # PDPT[0] -> PD (0..1 GiB)
    movq $0x305003, 0x301800      # PDPT[256] -> PD2 (256 GiB..)
    movq $0x304003, 0x302000      # PD[0] -> PT0 (0..2 MiB, identity)
    movq $0x303003, 0x305000      # PD2[0] -> PT2
    mov $0x304000, %rdi
    mov $3, %rax
    mov $512, %ecx
1:  mov %rax, (%rdi)
    add $0x1000, %rax
    add $8, %rdi
    dec %ecx
    jnz 1b
    movabs $0x4000000003, %rax
    mov %rax, 0x303000            # PT2[0]: guest-virtual 256 GiB -> the host's PML4 page
    mov %cr3, %r12                # the host's CR3
    mov $0x300000, %rax
    mov %rax, %cr3
    movabs $0x4000000008, %rdi
    movq $0x5a5a, (%rdi)          # the host's PML4 entry 1
    mov %r12, %cr3
    xor %eax, %eax
    xor %edi, %edi
    xor %esi, %esi
    outl %eax, $0xE0              # exit(0, 0)
    jmp 2f
2:  hlt
