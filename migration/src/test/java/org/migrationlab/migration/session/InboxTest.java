package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.transport.TransportClosedException;

/** The session reports why its peer failed: a reason beats a bare broken connection, whichever came first. */
class InboxTest {
    private static final ProtocolException BAD_CRC = new ProtocolException(AbortReason.BAD_CRC, "page 7");

    @Test
    void anAbortReadAfterABrokenPipeIsTheFailure() {
        Inbox inbox = new Inbox(4);
        inbox.fail(new IOException("Broken pipe"));
        inbox.fail(BAD_CRC);

        assertThat(inbox.failure()).isSameAs(BAD_CRC);
        assertThatThrownBy(() -> inbox.take(1_000, "RESUMED")).isSameAs(BAD_CRC);
    }

    @Test
    void aCloseAfterAnAbortDoesNotHideIt() {
        Inbox inbox = new Inbox(4);
        inbox.fail(BAD_CRC);
        inbox.fail(new TransportClosedException("the destination closed the BULK connection"));

        assertThat(inbox.failure()).isSameAs(BAD_CRC);
    }

    @Test
    void betweenTwoReasonsTheFirstWins() {
        Inbox inbox = new Inbox(4);
        inbox.fail(BAD_CRC);
        inbox.fail(new ProtocolException(AbortReason.TIMEOUT, "silent"));

        assertThat(inbox.failure()).isSameAs(BAD_CRC);
    }
}
