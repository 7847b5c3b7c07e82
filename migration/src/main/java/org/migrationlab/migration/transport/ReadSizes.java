package org.migrationlab.migration.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * How much one socket read of a migration connection may take: Netty's adaptive sizes up to
 * {@value #BEFORE_AUTHENTICATION_MAX} bytes while the peer has not proved the secret, up to
 * {@value #AUTHENTICATED_MAX} bytes once it has. A bulk frame (up to 256 pages, about 1 MiB) then arrives in
 * one or two reads rather than in sixteen, each of which the frame decoder had to copy onto the part of
 * the frame it held; an unauthenticated peer still makes the listener hold at most 64 KiB per connection.
 * One per channel: the handshake {@linkplain #authenticated() widens} it, and from the next read on the
 * channel reads with the larger sizes.
 */
final class ReadSizes implements RecvByteBufAllocator {
    static final int BEFORE_AUTHENTICATION_MAX = 64 << 10;
    static final int AUTHENTICATED_MAX = 1 << 20;
    private static final int MIN = 64;
    private final RecvByteBufAllocator before = new AdaptiveRecvByteBufAllocator(MIN, 2048, BEFORE_AUTHENTICATION_MAX);
    private final RecvByteBufAllocator after = new AdaptiveRecvByteBufAllocator(MIN, BEFORE_AUTHENTICATION_MAX,
            AUTHENTICATED_MAX);
    private volatile boolean authenticated;

    /** The peer proved the secret: reads may take up to {@link #AUTHENTICATED_MAX} bytes from the next one on. */
    void authenticated() {
        authenticated = true;
    }

    @Override
    public Handle newHandle() {
        return new Switching((ExtendedHandle) before.newHandle(), (ExtendedHandle) after.newHandle());
    }

    /** Netty's handle of the current sizes, chosen afresh at the start of each read loop. */
    private final class Switching implements ExtendedHandle {
        private final ExtendedHandle small;
        private final ExtendedHandle large;
        private ExtendedHandle current;

        Switching(ExtendedHandle small, ExtendedHandle large) {
            this.small = small;
            this.large = large;
            this.current = small;
        }

        @Override
        public void reset(ChannelConfig config) {
            current = authenticated ? large : small;
            current.reset(config);
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return current.allocate(alloc);
        }

        @Override
        public int guess() {
            return current.guess();
        }

        @Override
        public void incMessagesRead(int numMessages) {
            current.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            current.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return current.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            current.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return current.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return current.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return current.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            current.readComplete();
        }
    }
}
