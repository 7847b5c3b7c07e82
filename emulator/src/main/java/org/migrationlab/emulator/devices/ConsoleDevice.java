package org.migrationlab.emulator.devices;

import org.migrationlab.emulator.port.DeviceState;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Port 0xE1: the guest console. Keeps everything the guest printed (up to {@link #MAX_BYTES}, beyond
 * which it counts what it drops) and optionally echoes complete lines to a listener as they arrive.
 * Everything it holds is bounded whatever the guest writes: the unfinished line holds at most
 * {@link #MAX_LINE_BYTES}; a longer line reaches the listener in pieces of that size.
 */
public final class ConsoleDevice implements Device {
    public static final int MAX_BYTES = 4 << 20;
    public static final int MAX_WRITE = 64 << 10;
    public static final int MAX_LINE_BYTES = 4 << 10;

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final byte[] line = new byte[MAX_LINE_BYTES];
    private int lineLength;
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

    /** Bytes of the line not yet ended by a newline (never more than {@link #MAX_LINE_BYTES}). */
    public int unfinishedLineBytes() {
        return lineLength;
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
                echoLine();
            } else {
                if (lineLength == MAX_LINE_BYTES) {
                    echoLine(); // a line this long goes out in pieces rather than grow without bound
                }
                line[lineLength++] = b;
            }
        }
    }

    private void echoLine() {
        String text = new String(line, 0, lineLength, StandardCharsets.ISO_8859_1);
        lineLength = 0;
        echo.accept(text);
    }

    @Override
    public DeviceState save() {
        byte[] text = output.toByteArray();
        return new StateWriter(port(), 1).writeLong(dropped).writeInt(text.length).writeBytes(text)
                .writeInt(lineLength).writeBytes(Arrays.copyOf(line, lineLength)).toState();
    }

    @Override
    public Runnable prepareRestore(DeviceState state) {
        StateReader in = new StateReader(state, name(), 1);
        long droppedBytes = in.readLong();
        byte[] text = in.readBytes(in.readInt());
        byte[] partial = in.readBytes(in.readInt());
        in.expectEnd();
        if (droppedBytes < 0 || text.length > MAX_BYTES || partial.length > MAX_LINE_BYTES
                || (droppedBytes > 0 && text.length < MAX_BYTES)) {
            throw new IllegalArgumentException("console state: " + text.length + " bytes kept (max " + MAX_BYTES + "), "
                    + droppedBytes + " dropped, an unfinished line of " + partial.length + " bytes (max "
                    + MAX_LINE_BYTES + ")");
        }
        return () -> {
            output.reset();
            output.write(text, 0, text.length);
            System.arraycopy(partial, 0, line, 0, partial.length);
            lineLength = partial.length;
            dropped = droppedBytes;
        };
    }
}
