package org.migrationlab.migration.precopy;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.precopy.stop.PrecopyLimits;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.TransportConfig;

class AutoConvergeExperimentIT {
    @Test
    void experiment() throws Exception {
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.valueOf(System.getProperty("xleak", "DISABLED")));
        String wss = System.getProperty("xwss", "32M");
        long passes = Long.getLong("xpasses", 600);
        long target = Long.getLong("xtarget", 150);
        String w = System.getProperty("xw", "0.04");
        MachineConfig config = LoopbackMigration.config(64L << 20, "wss", 1, "wss=" + wss, "write-ratio=" + w, "passes=" + passes);
        long t0 = System.nanoTime();
        LoopbackMigration.Reference ref = LoopbackMigration.reference(config);
        System.out.println("XP reference " + (System.nanoTime() - t0) / 1e6 + " ms, progress " + ref.finalProgress());
        TransportConfig link = TransportConfig.of(LoopbackMigration.SECRET).withLink(Long.getLong("xbw", 0L), 0);
        for (String policy : System.getProperty("xpol", "downtime").split(",")) {
            MigrationConfig mc = new MigrationConfig(MigrationMode.PRECOPY, policy, "bubble", false, target,
                    org.migrationlab.emulator.port.DirtyLogMode.DIRTY_BIT, false, true, new PrecopyLimits(12, 50, 20));
            t0 = System.nanoTime();
            LoopbackMigration.Result r = LoopbackMigration.migrate(config, mc, ref.finalProgress() / 10, link, link);
            System.out.println("XP " + policy + " " + (System.nanoTime() - t0) / 1e6 + " ms: " + r.report().status()
                    + " rounds " + r.report().dirtySyncCount() + " reason " + r.report().switchReason() + " downtime "
                    + r.report().downtimeMs() + " identical " + (r.destination() != null && r.destination().equals(ref.outcome()))
                    + " halted-before " + r.haltedBeforeSwitchOver() + " mbps " + r.report().mbps() + " MB " + r.report().transferredBytes() / 1e6 + " progress at report " + r.progressAtReport());
        }
    }
}
