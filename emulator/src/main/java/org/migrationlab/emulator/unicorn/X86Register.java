package org.migrationlab.emulator.unicorn;

/** The x86-64 registers the machine reads and writes, with Unicorn's ids kept inside this package. */
public enum X86Register {
    RAX(35), RBX(37), RCX(38), RDX(40), RSI(43), RDI(39), RBP(36), RSP(44),
    R8(106), R9(107), R10(108), R11(109), R12(110), R13(111), R14(112), R15(113),
    RIP(41), RFLAGS(253),
    CS(11), DS(17), ES(28), FS(32), GS(33), SS(49),
    FS_BASE(250), GS_BASE(251),
    CR0(50), CR2(52), CR3(53), CR4(54), CR8(58);

    final int id;

    X86Register(int id) {
        this.id = id;
    }
}
