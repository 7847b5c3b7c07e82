package org.migrationlab.balloon.testing;

import org.migrationlab.emulator.devices.BadHypercallException;
import org.migrationlab.emulator.devices.HypercallContext;
import org.migrationlab.emulator.memory.GuestMemory;
import org.migrationlab.emulator.memory.MemoryMap;
import org.migrationlab.emulator.memory.PageState;

/** One hypercall's registers over a real {@link MemoryMap}, refusing buffers that are not present like the vCPU does. */
public final class FakeHypercall implements HypercallContext {
    private final MemoryMap memory;
    private final long a0;
    private final long a1;
    private final long a2;
    private long result = -1;

    public FakeHypercall(MemoryMap memory, long a0, long a1, long a2) {
        this.memory = memory;
        this.a0 = a0;
        this.a1 = a1;
        this.a2 = a2;
    }

    public long result() {
        return result;
    }

    @Override
    public long arg0() {
        return a0;
    }

    @Override
    public long arg1() {
        return a1;
    }

    @Override
    public long arg2() {
        return a2;
    }

    @Override
    public void result(long value) {
        result = value;
    }

    @Override
    public byte[] readGuest(long gpa, int length) {
        requirePresent(gpa, length);
        return memory.ram().read(gpa, length);
    }

    @Override
    public void writeGuest(long gpa, byte[] bytes) {
        requirePresent(gpa, bytes.length);
        memory.ram().write(gpa, bytes);
    }

    private void requirePresent(long gpa, long length) {
        if (!memory.ram().contains(gpa, length)) {
            throw new BadHypercallException("buffer outside RAM");
        }
        for (long page = gpa / GuestMemory.PAGE_SIZE; page <= (gpa + length - 1) / GuestMemory.PAGE_SIZE; page++) {
            if (memory.state(page) != PageState.PRESENT) {
                throw new BadHypercallException("buffer page " + page + " is " + memory.state(page));
            }
        }
    }
}
