package org.migrationlab.emulator.port;

/**
 * Resolves the guest's accesses to {@linkplain Migratable#fillPage absent} pages once it runs at a
 * migration destination. Called on the vCPU thread, which stays stopped at the faulting instruction
 * until the call returns: the handler may wait (bounded) for the page to be filled by another thread.
 */
@FunctionalInterface
public interface AbsentPageHandler {
    /** What to do with the access. */
    sealed interface Resolution {
        /** The page has been filled: map it and retry the instruction. */
        record Map() implements Resolution {
        }

        /** The page will not come: the guest stops here and ends as failed, for this reason. */
        record Fail(String reason) implements Resolution {
        }

        Resolution MAP = new Map();
    }

    Resolution onAbsentPage(long page);

    /**
     * The page {@link #onAbsentPage} resolved with {@link Resolution#MAP} is mapped; the vCPU retries the
     * instruction next. Lets a handler time a fault up to the guest's resumption; by default nothing.
     */
    default void onMapped(long page) {
    }

    /** Every access to an absent page fails the guest (a machine whose every page is present never calls it). */
    AbsentPageHandler NONE = page -> new Resolution.Fail("page " + page + " is absent and nobody provides it");
}
