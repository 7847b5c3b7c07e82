package org.migrationlab.vmm.testing;

import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.migrationlab.migration.testing.ThreadStacks;
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

    /**
     * Waits at most {@code seconds} for the exit code. A command still running by then fails the test with what
     * it printed and where every thread of this JVM stands, so that a hang says where it hangs.
     */
    public int awaitExit(long seconds) throws InterruptedException {
        try {
            return exit.get(seconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("vmm threw: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("vmm did not exit within " + seconds + " s; stderr: " + err + "; stdout: " + out
                    + "; threads:\n" + String.join("\n", ThreadStacks.of(thread -> true, 25)), e);
        }
    }
}
