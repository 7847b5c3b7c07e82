package org.migrationlab.emulator.image;

/** How to read an image file. */
public enum ImageFormat {
    /** ELF64 if the file starts with the ELF magic; otherwise refused (ask for FLAT explicitly). */
    AUTO,
    /** ELF64, x86-64, executable, PT_LOAD segments. */
    ELF,
    /** Raw code and data loaded at 0x100000 and entered at its first byte. */
    FLAT
}
