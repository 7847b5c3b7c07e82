package org.migrationlab.emulator.devices;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Reads a device state blob, turning truncation into a clear error. */
final class StateReader {
    private final ByteBuffer in;
    private final String device;

    StateReader(byte[] state, String device, int version) {
        this.in = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
        this.device = device;
        int found = readInt();
        if (found != version) {
            throw new IllegalArgumentException(device + " state version " + found + ", expected " + version);
        }
    }

    long readLong() {
        try {
            return in.getLong();
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException(device + " state is truncated");
        }
    }

    int readInt() {
        try {
            return in.getInt();
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException(device + " state is truncated");
        }
    }

    byte[] readBytes(int length) {
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException(device + " state is truncated");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    void expectEnd() {
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(device + " state has " + in.remaining() + " trailing bytes");
        }
    }
}
