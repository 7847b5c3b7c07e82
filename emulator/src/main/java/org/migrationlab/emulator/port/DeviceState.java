package org.migrationlab.emulator.port;

import java.util.Arrays;
import java.util.Objects;

/**
 * One device's saved state inside a {@link GuestState}: which device (its id is its I/O port, stable
 * across versions), the version of its state layout, and the state in that layout. Each device owns
 * the layout of its own body and refuses a version it does not know.
 */
public record DeviceState(int deviceId, int version, byte[] body) {
    public DeviceState {
        if (deviceId < 0 || deviceId > 0xffff) {
            throw new IllegalArgumentException("device id " + deviceId);
        }
        if (version < 1 || version > 0xffff) {
            throw new IllegalArgumentException("device state version " + version);
        }
        body = Objects.requireNonNull(body, "body").clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public int size() {
        return body.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceState d && d.deviceId == deviceId && d.version == version
                && Arrays.equals(d.body, body);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * deviceId + version) + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "DeviceState[0x" + Integer.toHexString(deviceId) + " v" + version + ", " + body.length + " bytes]";
    }
}
