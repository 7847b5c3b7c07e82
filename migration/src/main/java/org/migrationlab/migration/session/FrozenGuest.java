package org.migrationlab.migration.session;

import org.migrationlab.emulator.memory.PageBitmap;

/** What the source captures at the switch-over pause: the final dirty pages, CPU and device state. */
record FrozenGuest(PageBitmap dirty, byte[] cpuState, byte[] deviceState, long progressUnits) {
}
