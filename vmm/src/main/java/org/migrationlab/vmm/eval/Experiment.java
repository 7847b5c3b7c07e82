package org.migrationlab.vmm.eval;

/** One of the paper's experiments, rerun here. */
public sealed interface Experiment permits StressExperiment, FaultSplitExperiment, ApplicationsExperiment,
        DsbIntervalExperiment, BandwidthTraceExperiment, DegradationExperiment, PrepageProcsExperiment {
    /** The name {@code --only} takes. */
    String name();

    /** How many runs (migrations, or timed runs of a guest alone) it will make (for the progress estimate). */
    int migrations(EvalSettings settings);

    /** Runs it: tables beside the paper's figures, plots shaped like the paper's. */
    ExperimentResult run(Runner runner) throws Exception;
}
