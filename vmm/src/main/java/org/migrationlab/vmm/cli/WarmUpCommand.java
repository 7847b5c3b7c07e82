package org.migrationlab.vmm.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.migrationlab.vmm.render.HumanUnits;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code vmm warm-up} (hidden): runs {@link WarmUp} and says what it did, one line per migration. It is
 * the training run {@code bin/vmm} gives the JDK when it builds its AOT cache; {@code daemon} and
 * {@code migrate} run the same warm-up in-process before their real work.
 */
@Command(name = "warm-up", hidden = true, usageHelpAutoWidth = true,
        description = {
            "Warms this JVM up with small loopback migrations of a tiny guest (pre-copy, post-copy, pre-copy), each"
                + " checked against an unmigrated run; prints one line per migration.",
            "",
            "bin/vmm runs it once to build its JDK AOT cache; daemon and migrate run it before their real work"
                + " unless given --no-warm-up."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every migration completed and ended as the unmigrated run did",
            "1:a migration failed or its guest ended differently",
            "3:internal error (a bug in vmm; a stack trace follows)"})
public final class WarmUpCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        WarmUp.Result result = WarmUp.run();
        MigrateCommand.printLine(out, "vmm warm-up: oracle (the guest unmigrated) in "
                + HumanUnits.duration(result.oracleNanos()));
        for (WarmUp.Step step : result.steps()) {
            MigrateCommand.printLine(out, "vmm warm-up: " + MigrationConverters.Mode.name(step.mode()) + " in "
                    + HumanUnits.duration(step.nanos()) + ": " + step.report().status() + ", downtime " + HumanUnits.duration(
                    Math.round(step.report().timing().downtimeMs() * 1e6)) + ", oracle: " + step.verdict().describe());
        }
        MigrateCommand.printLine(out, "vmm warm-up: " + (result.allIdentical() ? "done" : "FAILED") + " in "
                + HumanUnits.duration(result.nanos()));
        return result.allIdentical() ? ExitCode.SUCCESS.code() : ExitCode.MIGRATION_FAILED.code();
    }
}
