package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.guest.GuestImages;
import org.migrationlab.migration.progress.LiveProgress;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.RunReport;

@Timeout(60)
class GuestRunTest {

    @Test
    void runsTheGuestOnTheVcpuThreadAndPublishesProgress() throws InterruptedException {
        MachineConfig config = MachineConfig.of(16L << 20, new BootArgs("wss", Map.of("wss", "512K"), 1));
        GuestRun run = new GuestRun(config, ImageLoader.load("kernel.elf", GuestImages.kernel(), ImageFormat.ELF), "kernel");
        List<String> threads = new CopyOnWriteArrayList<>();
        LiveProgress live = new LiveProgress();

        RunReport report = run.execute(line -> threads.add(Thread.currentThread().getName()), live);

        assertThat(threads).isNotEmpty().containsOnly(GuestRun.VCPU_THREAD);
        assertThat(report.outcome()).isInstanceOf(GuestOutcome.Halted.class);
        assertThat(report.outcome().succeeded()).isTrue();
        assertThat(live.snapshot().progress()).isEqualTo(report.progress().progress()).isEqualTo(128 * 4);
        assertThat(live.snapshot().passes()).isEqualTo(4);
        assertThat(report.virtualTimeNanos()).isGreaterThanOrEqualTo(512 * 1000L);
        assertThat(report.console()).contains("wss: done");
    }
}
