package org.migrationlab.emulator.unicorn;

/** Unicorn's {@code uc_err} codes, in header order (unicorn/unicorn.h). */
public enum UcError {
    OK, NOMEM, ARCH, HANDLE, MODE, VERSION, READ_UNMAPPED, WRITE_UNMAPPED, FETCH_UNMAPPED, HOOK,
    INSN_INVALID, MAP, WRITE_PROT, READ_PROT, FETCH_PROT, ARG, READ_UNALIGNED, WRITE_UNALIGNED,
    FETCH_UNALIGNED, HOOK_EXIST, RESOURCE, EXCEPTION, UNKNOWN;

    static UcError of(int code) {
        UcError[] all = values();
        return code >= 0 && code < all.length - 1 ? all[code] : UNKNOWN;
    }
}
