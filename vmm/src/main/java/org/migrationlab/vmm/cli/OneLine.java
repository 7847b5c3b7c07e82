package org.migrationlab.vmm.cli;

/**
 * Messages for stderr: folded onto one line so that every error is exactly one line, and escaped
 * ({@link TerminalText}) since they carry text from peers and guests.
 */
final class OneLine {
    private OneLine() {
    }

    static String of(String message) {
        if (message == null || message.isBlank()) {
            return "(no message)";
        }
        return TerminalText.escape(message.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; "));
    }
}
