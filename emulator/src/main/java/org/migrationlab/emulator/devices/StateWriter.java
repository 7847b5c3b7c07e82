package org.migrationlab.emulator.devices;

import java.io.ByteArrayOutputStream;

import org.migrationlab.emulator.port.DeviceState;

/** Writes a device's state body (little-endian fields) in one version of its layout. */
final class StateWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final int deviceId;
    private final int version;

    StateWriter(int deviceId, int version) {
        this.deviceId = deviceId;
        this.version = version;
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

    DeviceState toState() {
        return new DeviceState(deviceId, version, out.toByteArray());
    }
}
