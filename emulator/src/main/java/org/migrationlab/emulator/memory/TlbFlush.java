package org.migrationlab.emulator.memory;

/**
 * Really flushes the engine's TLB. Needed after any PTE change that removes or narrows access
 * (present to absent, writable to read-only, clearing D): Unicorn 2.0.1 does not flush when CR3 is
 * written through its register API; only a CR3 write executed by the guest flushes (docs/EMULATOR.md,
 * "The TLB"). Widening access needs no flush.
 */
@FunctionalInterface
public interface TlbFlush {
    void flush();
}
