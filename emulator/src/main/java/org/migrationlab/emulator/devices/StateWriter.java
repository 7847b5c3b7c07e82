package org.migrationlab.emulator.devices;

import java.io.ByteArrayOutputStream;

/** Writes a device state blob: a version, then little-endian fields. */
final class StateWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    StateWriter(int version) {
        writeInt(version);
    }

    StateWriter writeLong(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    StateWriter writeInt(int v) {
        for (int i = 0; i < 4; i++) {
            out.write(v >>> (8 * i));
        }
        return this;
    }

    StateWriter writeBytes(byte[] bytes) {
        out.write(bytes, 0, bytes.length);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
