package org.migrationlab.emulator.port;

import java.util.List;
import java.util.Objects;

import org.migrationlab.emulator.cpu.CpuState;

/**
 * Everything of a frozen guest that is not its pages: the vCPU's registers, each device's versioned
 * state, and which pages the guest's balloon holds (those pages have no contents to move). Captured by
 * {@link Migratable#freeze} at a clean pause, loaded by {@link Migratable#restore}; travels as one
 * {@link GuestStateCodec} image (Firecracker's microVM state is the model).
 *
 * @param ballooned the pages the balloon holds; its page count is the guest's
 */
public record GuestState(CpuState cpu, List<DeviceState> devices, PageBitmap ballooned) {
    public GuestState {
        Objects.requireNonNull(cpu, "cpu");
        devices = List.copyOf(devices);
        ballooned = ballooned.copy();
    }

    @Override
    public PageBitmap ballooned() {
        return ballooned.copy();
    }

    /** The guest's RAM in pages (the balloon map covers every page). */
    public long pageCount() {
        return ballooned.pageCount();
    }

    /** How many pages the balloon holds. */
    public long balloonedCount() {
        return ballooned.cardinality();
    }
}
