package org.migrationlab.migration.report;

/** A strict decoder of one JSON string literal (RFC 8259), for checking what {@link JsonWriter} writes. */
final class JsonStrings {
    private JsonStrings() {
    }

    static String decode(String literal) {
        if (literal.length() < 2 || literal.charAt(0) != '"' || literal.charAt(literal.length() - 1) != '"') {
            throw new IllegalArgumentException("not a string literal: " + literal);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < literal.length() - 1; i++) {
            char c = literal.charAt(i);
            if (c == '"' || c < 0x20) {
                throw new IllegalArgumentException("unescaped " + (int) c + " at " + i);
            }
            if (Character.isHighSurrogate(c)) {
                if (!Character.isLowSurrogate(literal.charAt(i + 1))) {
                    throw new IllegalArgumentException("raw unpaired surrogate at " + i);
                }
                out.append(c).append(literal.charAt(++i));
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException("raw unpaired surrogate at " + i);
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = literal.charAt(++i);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    out.append((char) Integer.parseInt(literal.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + e);
            }
        }
        return out.toString();
    }
}
