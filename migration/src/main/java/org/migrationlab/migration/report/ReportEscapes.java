package org.migrationlab.migration.report;

import tools.jackson.core.SerializableString;
import tools.jackson.core.io.CharacterEscapes;
import tools.jackson.core.io.SerializedString;

/**
 * Characters that a report escapes besides JSON's own (quote, backslash, control characters): DEL,
 * and the line and paragraph separators U+2028 and U+2029, which JavaScript once read as line ends.
 * Guest consoles can print any of them; the report stays one valid, unsurprising line per value.
 */
final class ReportEscapes extends CharacterEscapes {
    private static final int DEL = 0x7f;
    private static final SerializedString LINE_SEPARATOR = new SerializedString("\\u2028");
    private static final SerializedString PARAGRAPH_SEPARATOR = new SerializedString("\\u2029");

    private final int[] ascii = standardAsciiEscapesForJSON();

    ReportEscapes() {
        ascii[DEL] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
        return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
        return switch (ch) {
            case 0x2028 -> LINE_SEPARATOR;
            case 0x2029 -> PARAGRAPH_SEPARATOR;
            default -> null;
        };
    }
}
