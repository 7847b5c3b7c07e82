package org.migrationlab.vmm.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Serves the page's files from the jar (nothing is fetched from elsewhere): a fixed list, so no request
 * can name any other resource. Requests for the WebSocket path pass on to the WebSocket handler.
 */
@ChannelHandler.Sharable
final class StaticAssets extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String BASE = "/org/migrationlab/vmm/web/";
    private static final Map<String, Asset> ASSETS = Map.of(
            "/", new Asset("index.html", "text/html; charset=utf-8"),
            "/index.html", new Asset("index.html", "text/html; charset=utf-8"),
            "/view.js", new Asset("view.js", "text/javascript; charset=utf-8"),
            "/view.css", new Asset("view.css", "text/css; charset=utf-8"));

    private record Asset(String file, String contentType) {
    }

    private final String webSocketPath;

    StaticAssets(String webSocketPath) {
        super(false);
        this.webSocketPath = webSocketPath;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
        String path = request.uri().replaceFirst("[?#].*", "");
        if (path.equals(webSocketPath)) {
            ctx.fireChannelRead(request);
            return;
        }
        try {
            Asset asset = ASSETS.get(path);
            if (!request.method().equals(HttpMethod.GET) || asset == null) {
                respond(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                        "not found\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return;
            }
            byte[] body;
            try (InputStream in = StaticAssets.class.getResourceAsStream(BASE + asset.file())) {
                if (in == null) {
                    throw new IOException("missing resource " + asset.file());
                }
                body = in.readAllBytes();
            }
            respond(ctx, request, HttpResponseStatus.OK, asset.contentType(), body);
        } finally {
            request.release();
        }
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                                String contentType, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
