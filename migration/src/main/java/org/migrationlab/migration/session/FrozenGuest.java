package org.migrationlab.migration.session;

import org.migrationlab.emulator.memory.PageBitmap;
import org.migrationlab.migration.report.BalloonSummary;

/**
 * What the source captures at the switch-over pause: the final dirty pages, the ballooned pages, CPU and
 * device state, the workload's progress counter and the balloon's statistics.
 */
record FrozenGuest(PageBitmap dirty, PageBitmap ballooned, byte[] cpuState, byte[] deviceState, long progressUnits,
                   BalloonSummary balloon) {
}
