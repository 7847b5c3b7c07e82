package org.migrationlab.vmm.cli;

/**
 * Text from elsewhere — a guest's console, a peer's abort message, a migrating guest's boot arguments —
 * made safe for a terminal: control characters (C0, DEL, C1) and the Unicode controls that reorder or
 * hide text are shown as escapes ({@code \x1b}, {@code \u202e}) instead of being obeyed, so such text can
 * neither move the cursor, rewrite earlier lines nor disguise itself. Printable text, backslashes
 * included, passes unchanged, so escaping twice changes nothing.
 */
final class TerminalText {
    private TerminalText() {
    }

    /** One line: every control character escaped, line breaks included. */
    static String escape(String text) {
        return escape(text, false);
    }

    /** Several lines: line feeds kept, every other control character escaped. */
    static String escapeLines(String text) {
        return escape(text, true);
    }

    private static String escape(String text, boolean keepNewlines) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean unsafe = !(keepNewlines && c == '\n') && isUnsafe(c);
            if (unsafe && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (!unsafe) {
                    out.append(c);
                } else if (c < 0x100) {
                    out.append(String.format("\\x%02x", (int) c));
                } else {
                    out.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        return out == null ? text : out.toString();
    }

    private static boolean isUnsafe(char c) {
        return c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f // C0 (tab kept), DEL, C1
                || c == 0x061c || c == 0x200e || c == 0x200f // bidirectional marks
                || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069 // bidirectional embeddings, isolates
                || c == 0xfeff; // zero-width no-break space
    }
}
