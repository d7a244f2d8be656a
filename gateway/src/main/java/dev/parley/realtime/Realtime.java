package dev.parley.realtime;

import dev.parley.GatewayContext;
import dev.parley.auth.Authenticator;
import dev.parley.auth.Caller;
import dev.parley.http.ApiError;
import dev.parley.http.Blocking;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.ServerConnection;
import io.undertow.server.handlers.PathHandler;
import io.undertow.util.AttachmentKey;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import org.xnio.Pooled;

import java.nio.ByteBuffer;
import java.sql.SQLException;

/**
 * Supabase Realtime at /realtime/v1 (docs/realtime.md, docs/realtime-protocol.md):
 * {@code /websocket} (Phoenix channels: broadcast, presence, postgres_changes, resume) and
 * {@code POST /api/broadcast}. The socket's token ({@code apikey} query parameter or header) is
 * verified before the upgrade: a bad one is a 401 and no socket.
 */
public final class Realtime {
    private static final AttachmentKey<SocketSession.Handshake> HANDSHAKE = AttachmentKey.create(SocketSession.Handshake.class);
    private static final AttachmentKey<ServerConnection> CONNECTION = AttachmentKey.create(ServerConnection.class);

    private Realtime() {
    }

    public static HttpHandler handler(GatewayContext ctx) {
        RealtimeNode node;
        try {
            node = new RealtimeNode(ctx, RealtimeSettings.from(ctx.config()));
        } catch (SQLException e) {
            throw new IllegalStateException("realtime could not start: " + e.getMessage(), e);
        }
        ctx.onShutdown(node);
        // RFC 6455 only, with the conduit through which sockets write their pre-built frames
        HttpHandler socket = new WebSocketProtocolHandshakeHandler(java.util.List.of(new WireHandshake()), callback(node), exchange -> {
            throw new ApiError(400, "PGRST400", "Expected a WebSocket upgrade", "connect with ws://.../realtime/v1/websocket", null);
        });
        HttpHandler websocket = exchange -> {
            Serializer serializer = Serializer.forVsn(exchange.getQueryParameters().containsKey("vsn")
                    ? exchange.getQueryParameters().get("vsn").getFirst() : null);
            if (serializer == null) {
                throw new ApiError(400, "PGRST400", "Unsupported vsn", "vsn must be 1.0.0 or 2.0.0", null);
            }
            String token = Authenticator.tokenOf(exchange);
            Caller caller = token == null ? Caller.anonymous() : ctx.jwt().verify(token); // 401 when bad
            exchange.putAttachment(HANDSHAKE, new SocketSession.Handshake(serializer, caller, token));
            exchange.putAttachment(CONNECTION, exchange.getConnection());
            socket.handleRequest(exchange);
        };
        PathHandler paths = Handlers.path();
        paths.addExactPath("/websocket", websocket);
        paths.addExactPath("/websocket/", websocket);
        HttpHandler broadcastApi = new Blocking(new BroadcastApi(node, ctx));
        paths.addExactPath("/api/broadcast", broadcastApi);
        paths.addPrefixPath("/api/broadcast/", broadcastApi); // realtime-js httpSend: /{topic}/events/{event}
        return paths;
    }

    private static WebSocketConnectionCallback callback(RealtimeNode node) {
        return (WebSocketHttpExchange exchange, WebSocketChannel channel) -> {
            SocketSession.Handshake h = exchange.getAttachment(HANDSHAKE);
            SocketSession session = new SocketSession(node, channel, h.serializer(), h.caller(), h.token());
            node.topics.addSocket(session);
            channel.addCloseTask(ch -> session.onClosed());
            channel.getReceiveSetter().set(new AbstractReceiveListener() {
                @Override
                protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
                    session.onText(message.getData());
                }

                @Override
                protected void onFullBinaryMessage(WebSocketChannel ch, BufferedBinaryMessage message) {
                    try (Pooled<ByteBuffer[]> data = message.getData()) {
                        session.onBinary(bytes(data.getResource()));
                    }
                }

                // control frames go out through the socket's own writer, in order with its frames
                @Override
                protected void onFullPingMessage(WebSocketChannel ch, BufferedBinaryMessage message) {
                    try (Pooled<ByteBuffer[]> data = message.getData()) {
                        session.onPing(bytes(data.getResource()).array());
                    }
                }

                @Override
                protected void onFullCloseMessage(WebSocketChannel ch, BufferedBinaryMessage message) {
                    try (Pooled<ByteBuffer[]> data = message.getData()) {
                        CloseMessage cm = new CloseMessage(data.getResource());
                        session.onPeerClose(cm.getCode(), cm.getReason());
                    }
                }

                @Override
                protected long getMaxTextBufferSize() {
                    return node.settings.maxPayloadBytes();
                }

                @Override
                protected long getMaxBinaryBufferSize() {
                    return node.settings.maxPayloadBytes();
                }
            });
            channel.resumeReceives();
            UpgradeListenerRelease.release(exchange.getAttachment(CONNECTION)); // the upgrade exchange is not needed any more
        };
    }

    /** A message's parts as one heap buffer, ready to read. */
    private static ByteBuffer bytes(ByteBuffer[] parts) {
        int size = 0;
        for (ByteBuffer b : parts) size += b.remaining();
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer b : parts) all.put(b);
        return all.flip();
    }
}
