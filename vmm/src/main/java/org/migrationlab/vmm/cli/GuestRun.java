package org.migrationlab.vmm.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.progress.LiveProgress;
import org.migrationlab.migration.progress.ProgressCounters;
import org.migrationlab.migration.report.BalloonSummary;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.migration.session.GuestMachines;

/**
 * Boots one guest and runs it to the end on a dedicated platform thread named {@code vcpu-0}, which owns
 * the machine from boot to close. The calling thread only waits for the report. Console lines and
 * progress are published as they happen: lines to {@code consoleLines} (on the vCPU thread), progress
 * to {@link LiveProgress} for any thread to sample.
 *
 * @param imageLabel how reports name the image (a file name, or the built-in kernel)
 */
record GuestRun(MachineConfig config, GuestImage image, String imageLabel) {
    static final String VCPU_THREAD = "vcpu-0";

    /**
     * Runs the guest and returns its report. Exceptions from boot (missing library, image too large for
     * RAM) are rethrown here unchanged.
     */
    RunReport execute(Consumer<String> consoleLines, LiveProgress live) throws InterruptedException {
        CompletableFuture<RunReport> report = new CompletableFuture<>();
        Thread vcpu = Thread.ofPlatform().name(VCPU_THREAD).unstarted(() -> {
            try {
                report.complete(runHere(consoleLines, live));
            } catch (Throwable t) {
                report.completeExceptionally(t);
            }
        });
        vcpu.start();
        try {
            return report.get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case RuntimeException r -> throw r;
                case Error r -> throw r;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** Everything on the vCPU thread: boot, run to a terminal exit, collect the report, close. */
    private RunReport runHere(Consumer<String> consoleLines, LiveProgress live) {
        try (Machine machine = GuestMachines.boot(config, image)) {
            machine.console().echoLinesTo(consoleLines);
            machine.counters().listener((counter, value) -> live.update(counter, value, machine.clock().nanos()));
            long start = System.nanoTime();
            GuestOutcome outcome = runToEnd(machine);
            long wallNanos = System.nanoTime() - start;
            echoUnfinishedLine(machine.console().text(), machine.console().droppedBytes(), consoleLines);
            return report(config, imageLabel, machine, outcome, wallNanos);
        }
    }

    /** The report of a guest that has ended; call on the thread that owns the machine. */
    static RunReport report(MachineConfig config, String imageLabel, Machine machine, GuestOutcome outcome,
                            long wallNanos) {
        return new RunReport(config.bootArgs().workload(), imageLabel, config.ramBytes(), config.bootArgs().seed(),
                config.bootArgs().args(), outcome, machine.memory().hash(), wallNanos,
                machine.exits().asMap(),
                machine.exits().pageFaults(), ProgressCounters.of(machine.counters().values()),
                machine.clock().nanos(), machine.instructionsExecuted(), balloon(machine), machine.console().text());
    }

    /** A run saves what a migration would skip at its end: the balloon's size. Owner thread, guest ended. */
    static BalloonSummary balloon(Machine machine) {
        BalloonSummary now = GuestMachines.balloonSummary(machine, 0);
        return now.withSavedPages(now.sizePages());
    }

    /** How a terminal vCPU exit reads in reports; null for exits that do not end a guest (pause, hypercall). */
    static GuestOutcome outcome(VcpuExit exit) {
        return switch (exit) {
            case VcpuExit.Halt halt -> new GuestOutcome.Halted(halt.result(), halt.status());
            case VcpuExit.GuestCrash crash -> new GuestOutcome.Crashed(crash.kind().name(), crash.rip(), crash.address(),
                    crash.message());
            case VcpuExit.Error error -> new GuestOutcome.Failed(String.valueOf(error.cause()));
            case VcpuExit.PageFault fault -> new GuestOutcome.Failed("unresolved page fault on page "
                    + fault.pageNumber() + " at RIP 0x" + Long.toHexString(fault.rip()));
            case VcpuExit.Paused paused -> null;
            case VcpuExit.Hypercall hypercall -> null;
        };
    }

    private static GuestOutcome runToEnd(Machine machine) {
        while (true) {
            // Every page of a booted machine is present, so nothing here resolves faults; nobody else pauses
            // this machine, and no device asks to come back to the host between slices yet: resume on both.
            GuestOutcome outcome = outcome(machine.run());
            if (outcome != null) {
                return outcome;
            }
        }
    }

    /** The console device echoes complete lines only; a last line without its newline is echoed here. */
    static void echoUnfinishedLine(String console, long droppedBytes, Consumer<String> consoleLines) {
        if (droppedBytes == 0 && !console.isEmpty() && !console.endsWith("\n")) {
            consoleLines.accept(console.substring(console.lastIndexOf('\n') + 1));
        }
    }
}
