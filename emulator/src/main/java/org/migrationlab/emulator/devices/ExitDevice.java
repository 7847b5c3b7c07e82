package org.migrationlab.emulator.devices;

import org.migrationlab.emulator.port.DeviceState;

import java.util.Optional;

/**
 * Port 0xE0: the guest's exit with a result and a status (0 = success). Remembers the exit, so a guest
 * that has exited stays exited when its state moves to another machine.
 */
public final class ExitDevice implements Device {
    /** The guest's exit. */
    public record Exit(long result, long status) {
    }

    private Exit exit;

    @Override
    public int port() {
        return Ports.EXIT;
    }

    @Override
    public String name() {
        return "exit";
    }

    public Optional<Exit> exit() {
        return Optional.ofNullable(exit);
    }

    @Override
    public HypercallOutcome hypercall(int operation, HypercallContext call) {
        if (operation != 0) {
            throw new BadHypercallException("exit: unknown operation " + operation);
        }
        exit = new Exit(call.arg0(), call.arg1());
        return new HypercallOutcome.Exit(exit.result(), exit.status());
    }

    @Override
    public DeviceState save() {
        StateWriter out = new StateWriter(port(), 1);
        if (exit == null) {
            return out.writeInt(0).toState();
        }
        return out.writeInt(1).writeLong(exit.result()).writeLong(exit.status()).toState();
    }

    @Override
    public Runnable prepareRestore(DeviceState state) {
        StateReader in = new StateReader(state, name(), 1);
        int exited = in.readInt();
        Exit restored = null;
        if (exited == 1) {
            restored = new Exit(in.readLong(), in.readLong());
        } else if (exited != 0) {
            throw new IllegalArgumentException("exit state flag " + exited);
        }
        in.expectEnd();
        Exit loaded = restored;
        return () -> exit = loaded;
    }
}
