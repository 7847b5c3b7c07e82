package org.migrationlab.emulator.cpu;

/**
 * Every register an x86-64 guest of this machine can observe (guests are built with
 * {@code -mgeneral-regs-only}, so there is no FPU/SSE state). Captured only at a clean point: when the
 * vCPU is paused between slices. Encode with {@link CpuStateCodec}.
 */
public record CpuState(
        long rax, long rbx, long rcx, long rdx, long rsi, long rdi, long rbp, long rsp,
        long r8, long r9, long r10, long r11, long r12, long r13, long r14, long r15,
        long rip, long rflags,
        long cs, long ds, long es, long fs, long gs, long ss,
        long fsBase, long gsBase,
        long cr0, long cr3, long cr4, long efer,
        long gdtrBase, long gdtrLimit, long idtrBase, long idtrLimit) {

    /** The registers as an array, in record order (the codec's field order). */
    public long[] toArray() {
        return new long[] {rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8, r9, r10, r11, r12, r13, r14, r15,
                rip, rflags, cs, ds, es, fs, gs, ss, fsBase, gsBase, cr0, cr3, cr4, efer,
                gdtrBase, gdtrLimit, idtrBase, idtrLimit};
    }

    public static final int FIELD_COUNT = 34;

    public static CpuState fromArray(long[] v) {
        if (v.length != FIELD_COUNT) {
            throw new IllegalArgumentException("expected " + FIELD_COUNT + " registers, got " + v.length);
        }
        return new CpuState(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12],
                v[13], v[14], v[15], v[16], v[17], v[18], v[19], v[20], v[21], v[22], v[23], v[24], v[25],
                v[26], v[27], v[28], v[29], v[30], v[31], v[32], v[33]);
    }
}
