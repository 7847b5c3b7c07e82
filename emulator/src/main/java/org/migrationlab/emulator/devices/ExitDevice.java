package org.migrationlab.emulator.devices;

/** Port 0xE0: the guest's exit with a result and a status (0 = success). Stateless. */
public final class ExitDevice implements Device {
    @Override
    public int port() {
        return Ports.EXIT;
    }

    @Override
    public String name() {
        return "exit";
    }

    @Override
    public HypercallOutcome hypercall(int operation, HypercallContext call) {
        if (operation != 0) {
            throw new BadHypercallException("exit: unknown operation " + operation);
        }
        return new HypercallOutcome.Exit(call.arg0(), call.arg1());
    }

    @Override
    public byte[] saveState() {
        return new StateWriter(1).toByteArray();
    }

    @Override
    public void restoreState(byte[] state) {
        new StateReader(state, name(), 1).expectEnd();
    }
}
