package org.migrationlab.emulator.machine;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import org.migrationlab.emulator.port.AbsentPageHandler;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.emulator.port.GuestState;
import org.migrationlab.emulator.port.InvalidGuestStateException;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.emulator.testing.HostileCpuStates;
import org.migrationlab.emulator.testing.KernelGuests;

/**
 * Run by {@link HostileCpuStateTest} in a JVM of its own, because a state that gets through kills the
 * process: restores every hostile CPU state into one empty machine with every page pending, prints one
 * line per state ({@code refused NAME: MESSAGE} or {@code ACCEPTED NAME}), then restores the real state
 * into the same machine, runs the guest to its end on pages filled on demand and prints
 * {@code carried on: END}.
 */
public final class HostileCpuStateChild {
    private HostileCpuStateChild() {
    }

    public static void main(String[] args) throws Exception {
        MachineConfig config = KernelGuests.config(16L << 20, "wss", 1, "wss=1M", "passes=2");
        Machines machines = new Machines();
        try (Machine source = Machine.boot(config, KernelGuests.kernel());
             Migratable destination = machines.empty(config)) {
            long pages = destination.pageCount();
            GuestState real = new GuestState(source.saveCpu(), source.saveDevices(), new PageBitmap(pages));
            PageBitmap pending = new PageBitmap(pages);
            pending.setRange(1, pages);
            for (HostileCpuStates.Mutation mutation : HostileCpuStates.all(config.ramBytes())) {
                GuestState hostile = new GuestState(mutation.applyTo(real.cpu()), real.devices(), real.ballooned());
                System.out.flush();
                try {
                    destination.restore(hostile, pending);
                    System.out.println("ACCEPTED " + mutation.name());
                } catch (InvalidGuestStateException e) {
                    System.out.println("refused " + mutation.name() + " (" + e.kind() + "): " + e.getMessage());
                }
            }
            destination.restore(real, pending);
            destination.start(page -> {
                destination.fillPage(page, into -> MemorySegment.copy(source.memory().ram().page(page), 0, into, 0,
                        into.byteSize()));
                return AbsentPageHandler.Resolution.MAP;
            });
            GuestEnd end = destination.ended().get(60, TimeUnit.SECONDS);
            System.out.println("carried on: " + end);
        }
    }
}
