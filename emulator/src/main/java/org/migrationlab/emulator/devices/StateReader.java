package org.migrationlab.emulator.devices;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.migrationlab.emulator.port.DeviceState;

/** Reads a device's state body in the one layout version the device knows, turning truncation into a clear error. */
final class StateReader {
    private final ByteBuffer in;
    private final String device;

    StateReader(DeviceState state, String device, int version) {
        if (state.version() != version) {
            throw new IllegalArgumentException(device + " state version " + state.version() + ", this host reads "
                    + version);
        }
        this.in = ByteBuffer.wrap(state.body()).order(ByteOrder.LITTLE_ENDIAN);
        this.device = device;
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
