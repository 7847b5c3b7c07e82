package org.migrationlab.vmm.testing;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.migrationlab.vmm.cli.VmmCommand;

import picocli.CommandLine;

/** One in-process {@code vmm} invocation with its standard output and error captured. */
public record CapturedRun(int exitCode, String out, String err) {

    public static CapturedRun vmm(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = VmmCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new CapturedRun(code, out.toString(), err.toString());
    }

    /** Standard error split into lines, without empty ones. */
    public java.util.List<String> errLines() {
        return err.lines().filter(line -> !line.isBlank()).toList();
    }
}
