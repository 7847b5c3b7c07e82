package org.migrationlab.vmm.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.MigrationConfig;

/**
 * The paper's table 2: in post-copy of the write stress test, the share of the guest's faults that had to
 * fetch their page over the network (the rest found it already pushed: minor faults), with adaptive
 * prepaging (bubbling) against plain pushing in page order.
 */
public final class FaultSplitExperiment implements Experiment {
    public static final String NAME = "fault-split";
    private static final double START_SHARE = 0.25;
    private static final Map<String, String> STRATEGIES = orderedStrategies();

    private static Map<String, String> orderedStrategies() {
        Map<String, String> strategies = new LinkedHashMap<>();
        strategies.put("Pre-paging (bubble)", "bubble");
        strategies.put("Pushing", "push");
        return strategies;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int migrations(EvalSettings settings) {
        return STRATEGIES.size() * StressExperiment.Sizes.of(settings).workingSetMiB().length * settings.runs();
    }

    @Override
    public ExperimentResult run(Runner runner) throws Exception {
        EvalSettings settings = runner.settings();
        StressExperiment.Sizes sizes = StressExperiment.Sizes.of(settings);
        List<String> header = new ArrayList<>(List.of("working set (MB)", "paper's (MB)"));
        STRATEGIES.keySet().forEach(label -> {
            header.add(label + ": network %");
            header.add("paper");
            header.add(label + ": faults (network / minor)");
        });
        List<List<String>> rows = new ArrayList<>();
        Map<String, List<ExperimentResult.Point>> points = new LinkedHashMap<>();
        for (int i = 0; i < sizes.workingSetMiB().length; i++) {
            long ws = sizes.workingSetMiB()[i];
            int paperIndex = sizes.paperIndex()[i];
            List<String> row = new ArrayList<>(List.of(Long.toString(ws),
                    Long.toString((long) PaperFigures.WORKING_SET_MB[paperIndex])));
            for (var strategy : STRATEGIES.entrySet()) {
                List<Double> shares = new ArrayList<>();
                List<String> counts = new ArrayList<>();
                for (int run = 0; run < settings.runs(); run++) {
                    MachineConfig guest = StressExperiment.guest(sizes, ws, true, false, settings.seed() + run);
                    Map<String, String> parameters = new LinkedHashMap<>(guest.bootArgs().args());
                    parameters.put("memory", sizes.ramMiB() + "M");
                    parameters.put("prepage", strategy.getValue());
                    MigrationReport report = runner.migrate(NAME, strategy.getKey(), ws, run, guest,
                            MigrationConfig.defaults(MigrationMode.POSTCOPY).withPrepage(strategy.getValue()),
                            START_SHARE, true, parameters).report();
                    long network = report.faults().network().count();
                    long minor = report.faults().network().minor();
                    shares.add(network + minor == 0 ? 0.0 : 100.0 * network / (network + minor));
                    counts.add(network + " / " + minor);
                }
                Spread spread = Spread.of(shares);
                double paper = strategy.getValue().equals("push") ? PaperFigures.NETWORK_PERCENT_PUSHING[paperIndex]
                        : PaperFigures.NETWORK_PERCENT_PREPAGING[paperIndex];
                row.add(spread.format("%.1f"));
                row.add(PaperFigures.cell(paper, "%.0f"));
                row.add(String.join(", ", counts));
                points.computeIfAbsent(strategy.getKey(), k -> new ArrayList<>()).add(spread.at(ws));
            }
            rows.add(row);
        }
        ExperimentResult.Table table = new ExperimentResult.Table("Network faults, % of all faults", header, rows);
        List<ExperimentResult.Series> series = new ArrayList<>();
        points.forEach((label, p) -> series.add(new ExperimentResult.Series(label, p)));
        ExperimentResult.Figure figure = new ExperimentResult.Figure("fault-split", "Network faults (% of faults) "
                + "vs working set, post-copy", "working set (MB)", "network faults (%)", true, false, series);
        String conditions = String.format(Locale.ROOT, "Post-copy of the write stress test (a %d MiB guest "
                + "writing working sets of %s MB sequentially), migrated at a quarter of its work, with bubbling "
                + "and with plain pushing; %d run(s) per point; link %s.", sizes.ramMiB(),
                Conditions.joined(sizes.workingSetMiB()), settings.runs(), Conditions.link(settings));
        List<String> readings = new ArrayList<>();
        readings.add("Faults are counted over the post-copy phase at the destination; a minor fault is a touch "
                + "of a page that had already arrived by push or prepaging.");
        return new ExperimentResult(NAME, "Fault split (table 2): network vs minor faults", conditions,
                List.of(table), List.of(figure), readings);
    }
}
