package org.migrationlab.vmm.cli;

import java.util.function.Consumer;

import org.migrationlab.emulator.port.GuestSummary;

/**
 * The console device echoes complete lines only, as the guest prints them; a guest that ends in the
 * middle of a line leaves that line unechoed. This finishes it from what the guest left behind.
 */
final class ConsoleEcho {
    private ConsoleEcho() {
    }

    /** Echoes the console's last line when it has no newline (and nothing was dropped). */
    static void finishLine(GuestSummary summary, Consumer<String> lines) {
        String console = summary.console();
        if (summary.consoleDropped() == 0 && !console.isEmpty() && !console.endsWith("\n")) {
            lines.accept(console.substring(console.lastIndexOf('\n') + 1));
        }
    }
}
