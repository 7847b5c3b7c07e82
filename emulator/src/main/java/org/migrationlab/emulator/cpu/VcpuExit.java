package org.migrationlab.emulator.cpu;

import java.util.Objects;

import org.migrationlab.emulator.devices.DeferredWork;

/** Why a slice of guest execution ended. Every slice ends in exactly one of these. */
public sealed interface VcpuExit {
    /** The guest touched an absent page or wrote a write-protected one; it retries once resolved. */
    record PageFault(long pageNumber, long gpa, Access access, long rip) implements VcpuExit {
    }

    /**
     * A device asked the vCPU loop to come back to the host (e.g. for work that must flush the TLB).
     * {@code work} is what the device deferred to between slices ({@link DeferredWork#NONE} if nothing):
     * {@code Machine.run} executes it and keeps running, so only exits without work reach its caller.
     */
    record Hypercall(int port, int operation, DeferredWork work) implements VcpuExit {
        public Hypercall {
            Objects.requireNonNull(work, "work");
        }

        public Hypercall(int port, int operation) {
            this(port, operation, DeferredWork.NONE);
        }
    }

    /** The guest exited through the exit device. */
    record Halt(long result, long status) implements VcpuExit {
    }

    /** A pause request was honoured; the vCPU is at a clean point and its state may be captured. */
    record Paused() implements VcpuExit {
    }

    /** The guest cannot continue. {@code address} is the faulting address where one applies, else -1. */
    record GuestCrash(CrashKind kind, long rip, long address, String detail) implements VcpuExit {
        public String message() {
            return kind.description() + " at RIP 0x" + Long.toHexString(rip)
                    + (address >= 0 ? ", address 0x" + Long.toHexString(address) : "")
                    + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    /** The host failed (a hook threw, the engine reported an error). */
    record Error(Throwable cause) implements VcpuExit {
    }
}
