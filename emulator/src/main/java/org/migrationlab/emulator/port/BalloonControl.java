package org.migrationlab.emulator.port;

/**
 * What a migration needs of a machine's balloon device (which lives outside the emulator): to hold its
 * size while post-copy runs, and its size. Thread-safe.
 */
public interface BalloonControl {
    /** Hold the balloon at its size: the driver's queries are answered with it, inflations are refused. */
    void freeze();

    /** Let the balloon follow its policy again. */
    void unfreeze();

    /** Pages in the balloon now. */
    long balloonPages();

    /** The balloon's statistics now (may be one hypercall old when read from outside the vCPU thread). */
    BalloonFigures figures();

    /** The balloon's counters, as reports show them. */
    record BalloonFigures(long balloonPages, long inflations, long deflations, long pressureDeflations,
                          long pagesReturned, long pagesReclaimed) {
        public static final BalloonFigures NONE = new BalloonFigures(0, 0, 0, 0, 0, 0);
    }
}
