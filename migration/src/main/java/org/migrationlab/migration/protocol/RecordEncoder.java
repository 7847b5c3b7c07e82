package org.migrationlab.migration.protocol;

import java.util.List;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

/**
 * {@link MigrationRecord}s → frames, through {@link RecordCodec#encode}. A written {@code PageBatch}
 * is not copied: its frame is a composite of a header buffer and a retained slice of the batch's data.
 * The written record is released here (writing transfers ownership), and the frame's slice once the
 * transport has written it.
 *
 * <p>Thread: any event loop. Stateless, hence {@code @Sharable}.
 */
@Sharable
public final class RecordEncoder extends MessageToMessageEncoder<MigrationRecord> {

    public RecordEncoder() {
        super(MigrationRecord.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, MigrationRecord record, List<Object> out) {
        out.add(RecordCodec.encode(record, ctx.alloc()));
    }
}
