package org.migrationlab.vmm.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.migration.progress.ArrivalObserver;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.protocol.SendReason;
import org.migrationlab.migration.report.MigrationReport;

/**
 * The view over loopback without a browser: the page's files from the jar, and on the WebSocket the hello,
 * the whole map, then per tick only what the engine changed, and the end.
 */
@Timeout(30)
class LiveViewTest {
    @Test
    void servesThePageAndStreamsTheMapAsDeltas() throws Exception {
        try (LiveView view = LiveView.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "a test");
             HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(view.url())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<canvas id=\"pageMap\"", "view.js");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(view.url() + "view.js")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("new WebSocket");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(view.url() + "../pom.xml")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);

            MigrationProgress progress = new MigrationProgress(300);
            view.guest(300);
            view.watch(progress);
            Frames frames = new Frames();
            WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(view.url().replace("http:", "ws:")
                    + "live"), frames).get(10, TimeUnit.SECONDS);
            try {
                assertThat(frames.text()).startsWith("{\"type\":\"hello\"").contains("\"pages\":300");
                byte[] browser = PageMapTest.decode(null, frames.binary());
                assertThat(browser).containsOnly(CellState.NOT_SENT);
                assertThat(frames.text()).startsWith("{\"type\":\"tick\"");

                progress.pageObserver().sent(7, SendReason.PRECOPY_ROUND, 0, false);
                progress.pageObserver().sent(299, SendReason.PRECOPY_ROUND, 0, true);
                ByteBuf delta = frames.binary();
                assertThat(delta.readableBytes()).as("two changed words, two states").isEqualTo(9 + 2 * 12 + 2);
                browser = PageMapTest.decode(browser, delta);
                assertThat(browser[7]).isEqualTo(CellState.ROUND_0);
                assertThat(browser[299]).isEqualTo((byte) (CellState.ROUND_0 | CellState.ZERO_FLAG));

                view.ended(MigrationReport.notStarted("precopy", 300 * 4096L, "the guest ended first"));
                String ended;
                do {
                    ended = frames.text();
                } while (ended.startsWith("{\"type\":\"tick\""));
                assertThat(ended).startsWith("{\"type\":\"ended\"").contains("\"status\":\"not-started\"",
                        "the guest ended first");
                assertThat(view.bytesToViewers()).isPositive();
                assertThat(view.watched()).isTrue();
            } finally {
                socket.abort(); // the client waits for open sockets when it closes
            }
        }
    }

    /**
     * A destination's view: an incoming migration's map appears once its guest is built, with its pages'
     * states and its faults' latency; the next migration's map replaces it, sent whole.
     */
    @Test
    void aDestinationsViewShowsTheLatestIncomingMigration() throws Exception {
        try (LiveView view = LiveView.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "a daemon");
             HttpClient http = HttpClient.newHttpClient()) {
            ArrivalObserver first = view.incoming();
            first.guest(100);
            first.copied(5);
            Frames frames = new Frames();
            WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(view.url().replace("http:", "ws:")
                    + "live"), frames).get(10, TimeUnit.SECONDS);
            try {
                assertThat(frames.text()).startsWith("{\"type\":\"hello\"").contains("\"role\":\"destination\"",
                        "\"pages\":100");
                byte[] browser = PageMapTest.decode(null, frames.binary());
                assertThat(browser[5]).isEqualTo(CellState.PRECOPIED);
                assertThat(frames.text()).startsWith("{\"type\":\"tick\"").contains("\"latency\":null",
                        "\"precopied\":1");

                first.awaiting(7);
                first.arrived(7);
                first.fetched(7, 250_000);
                while (browser[7] != CellState.DEMAND) { // awaited, then fetched: one tick or two
                    browser = PageMapTest.decode(browser, frames.binary());
                }
                String tick;
                do {
                    tick = frames.text();
                } while (!tick.contains("\"demand\":1"));
                assertThat(tick).contains("\"latency\":{\"count\":1,\"p50\":250.");

                ArrivalObserver second = view.incoming();
                second.guest(50);
                String hello;
                do {
                    hello = frames.text();
                } while (!hello.startsWith("{\"type\":\"hello\""));
                assertThat(hello).contains("\"pages\":50");
                ByteBuf whole = frames.binary();
                while (whole.getByte(0) != MapFrames.SNAPSHOT) {
                    whole = frames.binary();
                }
                assertThat(PageMapTest.decode(null, whole)).hasSize(50).containsOnly(CellState.NOT_SENT);
            } finally {
                socket.abort();
            }
        }
    }

    /** A view nobody opened stays up for the time it is given, then lets its command end. */
    @Test
    void anUnwatchedViewWaitsForAViewerOnlyAsLongAsItIsTold() throws Exception {
        try (LiveView view = LiveView.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "a test")) {
            view.guest(10);
            long start = System.nanoTime();
            view.awaitFirstViewer(300);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(300L, 5_000L);
            assertThat(view.watched()).isFalse();
        }
    }

    /** The frames one viewer received, text and binary apart, in order. */
    private static final class Frames implements WebSocket.Listener {
        private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        private final BlockingQueue<ByteBuf> binaries = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private ByteBuf binary = Unpooled.buffer();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                texts.add(text.toString());
                text.setLength(0);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            binary.writeBytes(data);
            if (last) {
                binaries.add(binary);
                binary = Unpooled.buffer();
            }
            socket.request(1);
            return null;
        }

        String text() throws InterruptedException {
            String next = texts.poll(10, TimeUnit.SECONDS);
            assertThat(next).as("a text frame within 10 s").isNotNull();
            return next;
        }

        ByteBuf binary() throws InterruptedException {
            ByteBuf next = binaries.poll(10, TimeUnit.SECONDS);
            assertThat(next).as("a binary frame within 10 s").isNotNull();
            return next;
        }
    }
}
