package org.migrationlab.vmm.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.migrationlab.migration.journal.JournalEntry;
import org.migrationlab.migration.journal.JournalFiles;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.journal.chronicle.ChronicleJournalStore;
import org.migrationlab.migration.report.JournalStatus;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.vmm.render.JournalStatusTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vmm status}: the migrations journaled in a state directory, read beside the daemon or migration
 * that writes them (this never recovers or changes a journal).
 */
@Command(name = "status", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Lists the migrations journaled in a state directory (vmm daemon or vmm migrate with"
            + " --state-dir), each at its latest ownership transition, also while they run."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed (perhaps none)", "2:usage error: no such directory, or a journal that cannot be read"},
        footerHeading = "%nExamples:%n",
        footer = {"  vmm status --state-dir /var/lib/vmm", "  vmm status --state-dir state --json status.json"})
public final class StatusCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--state-dir", paramLabel = "DIR", required = true,
            description = "The state directory of vmm daemon or vmm migrate.")
    private Path stateDir;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the list as JSON ('-': standard output"
            + " instead of the table).")
    private Path json;

    @Override
    public Integer call() {
        if (!Files.isDirectory(stateDir)) {
            throw new UserInputException("--state-dir " + stateDir + ": no such directory");
        }
        JsonTarget.check(json);
        Map<String, List<JournalEntry>> bySide = new LinkedHashMap<>();
        for (Owner side : Owner.values()) {
            Path file = JournalFiles.of(stateDir, side);
            if (Files.isRegularFile(file)) {
                try (ChronicleJournalStore store = ChronicleJournalStore.openForReading(file)) {
                    bySide.put(side.label(), store.entries());
                } catch (UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
                    throw new UserInputException("cannot read the journal " + file + ": " + e.getMessage());
                }
            }
        }
        JournalStatus status = JournalStatus.of(stateDir.toString(), bySide);
        PrintWriter out = spec.commandLine().getOut();
        if (JsonTarget.isStandardOutput(json)) {
            out.print(ReportJson.render(status));
        } else {
            out.print(JournalStatusTable.render(status));
            if (json != null) {
                JsonTarget.write(json, ReportJson.render(status));
            }
        }
        out.flush();
        return ExitCode.SUCCESS.code();
    }
}
