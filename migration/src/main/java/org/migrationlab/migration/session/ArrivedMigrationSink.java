package org.migrationlab.migration.session;

import io.netty.util.ReferenceCountUtil;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.transport.Handshake;
import org.migrationlab.migration.transport.PeerChannel;
import org.migrationlab.migration.transport.RecordSink;

/**
 * A recovery of a migration whose guest already has every page here (PROTOCOL §5.6): the link broke after
 * the last page but before the source read COMPLETE. The reconnection learns that every page arrived, and
 * its PAGES_DONE is answered with COMPLETE, so the source releases its copy instead of failing.
 */
final class ArrivedMigrationSink implements RecordSink {
    private final long pages;

    ArrivedMigrationSink(long pages) {
        this.pages = pages;
    }

    @Override
    public void authenticated(Handshake handshake, PeerChannel channel) {
    }

    @Override
    public void received(MigrationRecord record, PeerChannel channel) {
        switch (record) {
            case MigrationRecord.Recover recover -> {
                if (channel.kind() == MigrationRecord.Channel.BULK) {
                    PageBitmap all = new PageBitmap(pages);
                    all.setRange(0, pages);
                    channel.sendNow(new MigrationRecord.Recovered(recover.epoch(), pages, all.toByteArray()));
                }
            }
            case MigrationRecord.PagesDone done -> channel.sendNow(new MigrationRecord.Complete(pages));
            default -> {
                ReferenceCountUtil.release(record);
                throw new ProtocolException(AbortReason.UNEXPECTED_RECORD, record.type()
                        + " for a migration whose guest arrived already");
            }
        }
    }

    @Override
    public void failed(PeerChannel channel, Throwable cause) {
        // the guest is here and runs on; nothing to undo
    }

    @Override
    public void closed(PeerChannel channel) {
    }
}
