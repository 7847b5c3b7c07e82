package org.migrationlab.migration.report;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A small streaming JSON writer producing indented text (RFC 8259). Strings are escaped completely:
 * quote, backslash, every control character, and unpaired surrogates (which have no UTF-8 encoding),
 * so any Java string — guest console output included — yields valid JSON. Non-finite doubles are
 * written as {@code null}. Misuse (a value where a name is due, unbalanced ends) throws
 * {@link IllegalStateException}. Not thread-safe; one writer per document.
 */
public final class JsonWriter {
    private static final String INDENT = "  ";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private enum Scope { OBJECT, ARRAY }

    private final StringBuilder out = new StringBuilder();
    private final Deque<Scope> scopes = new ArrayDeque<>();
    /** Whether the innermost scope has no element yet. */
    private boolean empty = true;
    /** Inside an object, a name was written and its value is due. */
    private boolean nameWritten;
    private boolean done;

    public JsonWriter beginObject() {
        beforeValue(true);
        out.append('{');
        open(Scope.OBJECT);
        return this;
    }

    public JsonWriter endObject() {
        close(Scope.OBJECT, '}');
        return this;
    }

    public JsonWriter beginArray() {
        beforeValue(true);
        out.append('[');
        open(Scope.ARRAY);
        return this;
    }

    public JsonWriter endArray() {
        close(Scope.ARRAY, ']');
        return this;
    }

    /** The name of the next member of the current object. */
    public JsonWriter name(String name) {
        if (scopes.peek() != Scope.OBJECT || nameWritten) {
            throw new IllegalStateException("a name is allowed only inside an object, before its value");
        }
        separate();
        quote(name, out);
        out.append(": ");
        nameWritten = true;
        return this;
    }

    /** A string, or {@code null} for a null string. */
    public JsonWriter value(String value) {
        if (value == null) {
            return nullValue();
        }
        beforeValue(false);
        quote(value, out);
        return this;
    }

    public JsonWriter value(long value) {
        beforeValue(false);
        out.append(value);
        return this;
    }

    /** A finite double as a JSON number; NaN and infinities as {@code null}. */
    public JsonWriter value(double value) {
        if (!Double.isFinite(value)) {
            return nullValue();
        }
        beforeValue(false);
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(value);
        }
        return this;
    }

    public JsonWriter value(boolean value) {
        beforeValue(false);
        out.append(value);
        return this;
    }

    public JsonWriter nullValue() {
        beforeValue(false);
        out.append("null");
        return this;
    }

    /** The finished document, ending in a newline. */
    public String toJson() {
        if (!done) {
            throw new IllegalStateException("the document is not complete");
        }
        return out + "\n";
    }

    /** {@code text} as a JSON string literal, quotes included. */
    public static String quote(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2);
        quote(text, sb);
        return sb.toString();
    }

    private static void quote(String text, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        unicodeEscape(c, sb);
                    } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(i + 1))) {
                        sb.append(c).append(text.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        unicodeEscape(c, sb); // unpaired: not encodable in UTF-8, so escape it
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static void unicodeEscape(char c, StringBuilder sb) {
        sb.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                .append(HEX[c & 0xf]);
    }

    private void open(Scope scope) {
        scopes.push(scope);
        empty = true;
        nameWritten = false;
    }

    private void close(Scope scope, char bracket) {
        if (scopes.peek() != scope || nameWritten) {
            throw new IllegalStateException("unbalanced end of " + scope.name().toLowerCase(java.util.Locale.ROOT));
        }
        scopes.pop();
        if (!empty) {
            newline();
        }
        out.append(bracket);
        empty = false;
        done = scopes.isEmpty();
    }

    private void beforeValue(boolean container) {
        if (done) {
            throw new IllegalStateException("the document already has its top-level value");
        }
        Scope scope = scopes.peek();
        if (scope == Scope.OBJECT) {
            if (!nameWritten) {
                throw new IllegalStateException("a value inside an object needs a name first");
            }
            nameWritten = false;
            empty = false;
        } else if (scope == Scope.ARRAY) {
            separate();
        } else if (!container) {
            done = true; // a scalar at top level completes the document
        }
    }

    private void separate() {
        if (!empty) {
            out.append(',');
        }
        newline();
        empty = false;
    }

    private void newline() {
        out.append('\n');
        out.append(INDENT.repeat(scopes.size()));
    }
}
