package org.migrationlab.emulator.devices;

/** The I/O ports of guest_abi.h. */
public final class Ports {
    public static final int EXIT = 0xE0;
    public static final int CONSOLE = 0xE1;
    public static final int CLOCK = 0xE2;
    public static final int COUNTERS = 0xE3;
    public static final int RING = 0xE4;
    public static final int STREAM = 0xE5;
    public static final int BALLOON = 0xE6;

    private Ports() {
    }
}
