package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Text from guests and peers reaches the terminal as escapes, never as control sequences. */
class TerminalTextTest {
    @Test
    void controlSequencesAreShownNotObeyed() {
        assertThat(TerminalText.escape("\u001b[2J\u001b]0;owned\u0007done\r\n"))
                .isEqualTo("\\x1b[2J\\x1b]0;owned\\x07done\\x0d\\x0a");
        assertThat(TerminalText.escape("a\u009bb\u007fc")).isEqualTo("a\\x9bb\\x7fc");
        assertThat(TerminalText.escape("invoice\u202eFDP.exe")).isEqualTo("invoice\\u202eFDP.exe");
    }

    @Test
    void printableTextPassesUnchangedAndEscapingTwiceChangesNothing() {
        String text = "progress 42 %\tcafé ✓ \\x1b";
        assertThat(TerminalText.escape(text)).isSameAs(text);
        String once = TerminalText.escape("\u001b[31mred");
        assertThat(TerminalText.escape(once)).isEqualTo(once);
    }

    @Test
    void multiLineTextKeepsItsLineFeeds() {
        assertThat(TerminalText.escapeLines("row 1\nerror: \u001b[8mhidden\n")).isEqualTo("row 1\nerror: \\x1b[8mhidden\n");
    }

    @Test
    void oneLineMessagesAreFoldedAndEscaped() {
        assertThat(OneLine.of("the destination aborted: \u001b[1Agone\nnext")).isEqualTo(
                "the destination aborted: \\x1b[1Agone; next");
    }
}
