package org.migrationlab.vmm.eval;

/** One of the paper's experiments, rerun here. */
public sealed interface Experiment permits StressExperiment, FaultSplitExperiment, ApplicationsExperiment,
        PrepageProcsExperiment {
    /** The name {@code --only} takes. */
    String name();

    /** How many migrations it will run with these settings (for the progress estimate). */
    int migrations(EvalSettings settings);

    /** Runs it: tables beside the paper's figures, plots shaped like the paper's. */
    ExperimentResult run(Runner runner) throws Exception;
}
