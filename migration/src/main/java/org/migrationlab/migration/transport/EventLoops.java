package org.migrationlab.migration.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Event-loop groups with named threads (net-bulk-1, net-urgent-1, ...). */
final class EventLoops {
    private EventLoops() {
    }

    static EventLoopGroup named(String prefix, int threads) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(prefix, true), NioIoHandler.newFactory());
    }
}
