package org.migrationlab.emulator.devices;

import org.migrationlab.emulator.port.DeviceState;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Port 0xE1: the guest console. Keeps everything the guest printed (up to {@link #MAX_BYTES}, beyond
 * which it counts what it drops) and optionally echoes complete lines to a listener as they arrive.
 */
public final class ConsoleDevice implements Device {
    public static final int MAX_BYTES = 4 << 20;
    public static final int MAX_WRITE = 64 << 10;

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final StringBuilder line = new StringBuilder();
    private long dropped;
    private Consumer<String> echo = s -> { };

    @Override
    public int port() {
        return Ports.CONSOLE;
    }

    @Override
    public String name() {
        return "console";
    }

    /** Receives each complete line (without its newline) on the vCPU thread. */
    public void echoLinesTo(Consumer<String> lineSink) {
        this.echo = lineSink;
    }

    public String text() {
        return output.toString(StandardCharsets.UTF_8);
    }

    public long droppedBytes() {
        return dropped;
    }

    @Override
    public HypercallOutcome hypercall(int operation, HypercallContext call) {
        switch (operation) {
            case 0 -> append(new byte[] {(byte) call.arg0()});
            case 1 -> {
                long length = call.arg1();
                if (length < 0 || length > MAX_WRITE) {
                    throw new BadHypercallException("console: write of " + length + " bytes (max " + MAX_WRITE + ")");
                }
                append(call.readGuest(call.arg0(), (int) length));
            }
            default -> throw new BadHypercallException("console: unknown operation " + operation);
        }
        return HypercallOutcome.CONTINUE;
    }

    private void append(byte[] bytes) {
        int room = (int) Math.max(0, MAX_BYTES - output.size());
        int kept = Math.min(room, bytes.length);
        output.write(bytes, 0, kept);
        dropped += bytes.length - kept;
        for (byte b : bytes) {
            if (b == '\n') {
                echo.accept(line.toString());
                line.setLength(0);
            } else {
                line.append((char) (b & 0xff));
            }
        }
    }

    @Override
    public DeviceState save() {
        byte[] text = output.toByteArray();
        byte[] partial = line.toString().getBytes(StandardCharsets.ISO_8859_1);
        return new StateWriter(port(), 1).writeLong(dropped).writeInt(text.length).writeBytes(text)
                .writeInt(partial.length).writeBytes(partial).toState();
    }

    @Override
    public void restore(DeviceState state) {
        StateReader in = new StateReader(state, name(), 1);
        long droppedBytes = in.readLong();
        byte[] text = in.readBytes(in.readInt());
        byte[] partial = in.readBytes(in.readInt());
        in.expectEnd();
        output.reset();
        output.write(text, 0, text.length);
        line.setLength(0);
        line.append(new String(partial, StandardCharsets.ISO_8859_1));
        dropped = droppedBytes;
    }
}
