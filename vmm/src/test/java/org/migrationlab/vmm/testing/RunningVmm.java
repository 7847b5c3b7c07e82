package org.migrationlab.vmm.testing;

import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.migrationlab.vmm.cli.VmmCommand;
import picocli.CommandLine;

/** One in-process {@code vmm} invocation running on a test's thread, its output captured as it is written. */
public record RunningVmm(CompletableFuture<Integer> exit, OutputCapture out, OutputCapture err) {
    public static RunningVmm start(Executor threads, String... args) {
        OutputCapture out = new OutputCapture();
        OutputCapture err = new OutputCapture();
        CommandLine cmd = VmmCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return new RunningVmm(CompletableFuture.supplyAsync(() -> cmd.execute(args), threads), out, err);
    }
}
