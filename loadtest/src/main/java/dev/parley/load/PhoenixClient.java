package dev.parley.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.nio.charset.StandardCharsets;
import io.netty.buffer.ByteBuf;

/**
 * One Phoenix (vsn 1.0.0, JSON object) socket to a gateway, joined to one topic. Frames other
 * than the join reply go to {@code onMessage} on the socket's event-loop thread.
 */
final class PhoenixClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicInteger refs = new AtomicInteger();
    private final CompletableFuture<JsonNode> joined = new CompletableFuture<>();
    private final Consumer<JsonNode> onMessage;
    private final LongConsumer onTick;
    private volatile Channel channel;
    private volatile String joinRef;

    /**
     * {@code onTick}: the driver's send time (its {@code t}) of each broadcast tick, read without
     * parsing the frame as JSON (the client shares the 2 cores with the gateway, so each frame
     * must cost it little); every other frame is parsed and goes to {@code onMessage}.
     */
    PhoenixClient(Consumer<JsonNode> onMessage, LongConsumer onTick) {
        this.onMessage = onMessage;
        this.onTick = onTick;
    }

    static final long NOT_A_TICK = Long.MIN_VALUE;
    /** How the gateway's 1.0.0 serializer starts a realtime.send broadcast of the load tool's ticks. */
    private static final byte[] TICK_PREFIX =
            "{\"event\":\"broadcast\",\"payload\":{\"type\":\"broadcast\",\"event\":\"tick\",\"payload\":{\"t\":"
                    .getBytes(StandardCharsets.US_ASCII);

    /** The tick's {@code t} when the frame is a tick broadcast, else {@link #NOT_A_TICK}. */
    static long tickTime(ByteBuf text) {
        int i = text.readerIndex();
        int end = text.writerIndex();
        if (end - i <= TICK_PREFIX.length) return NOT_A_TICK;
        for (byte b : TICK_PREFIX) if (text.getByte(i++) != b) return NOT_A_TICK;
        long v = 0;
        int digits = 0;
        for (; i < end; i++, digits++) {
            byte b = text.getByte(i);
            if (b < '0' || b > '9') break;
            v = v * 10 + (b - '0');
        }
        if (digits == 0 || i >= end) return NOT_A_TICK;
        byte next = text.getByte(i); // realtime.send adds an "id" after "t" (jsonb orders keys by length)
        return next == '}' || next == ',' ? v : NOT_A_TICK;
    }

    /** Connects from {@code localAddress} (null: any) and completes when the handshake is done. */
    CompletableFuture<Void> connect(EventLoopGroup group, URI uri, InetSocketAddress localAddress) {
        CompletableFuture<Void> open = new CompletableFuture<>();
        var handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13, null, false,
                new DefaultHttpHeaders(), 1 << 20);
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                                // no UTF-8 validation of every frame: the gateway under test is trusted to send
                                // valid text (its own tests check it), and validating costs the client about a fifth of its CPU
                                new WebSocketClientProtocolHandler(handshaker, true, true, 10_000L, false),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                                            open.complete(null);
                                        }
                                    }

                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) throws Exception {
                                        long t = tickTime(frame.content());
                                        if (t != NOT_A_TICK) onTick.accept(t);
                                        else received(JSON.readTree(frame.text()));
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        open.completeExceptionally(cause);
                                        joined.completeExceptionally(cause);
                                        ctx.close();
                                    }
                                });
                    }
                });
        var future = localAddress == null
                ? b.connect(uri.getHost(), uri.getPort())
                : b.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), localAddress);
        future.addListener(f -> {
            if (!f.isSuccess()) open.completeExceptionally(f.cause());
        });
        channel = future.channel();
        channel.closeFuture().addListener(f -> {
            open.completeExceptionally(new IllegalStateException("socket closed"));
            joined.completeExceptionally(new IllegalStateException("socket closed before the join reply"));
        });
        return open;
    }

    private void received(JsonNode msg) {
        if ("phx_reply".equals(msg.path("event").asText()) && joinRef != null && joinRef.equals(msg.path("ref").asText())) {
            if ("ok".equals(msg.path("payload").path("status").asText())) joined.complete(msg.path("payload"));
            else joined.completeExceptionally(new IllegalStateException("join refused: " + msg));
            return;
        }
        onMessage.accept(msg);
    }

    /** Sends phx_join for {@code topic}; completes with the ok reply's payload. */
    CompletableFuture<JsonNode> join(String topic, ObjectNode payload) {
        joinRef = String.valueOf(refs.incrementAndGet());
        ObjectNode msg = JSON.createObjectNode();
        msg.put("topic", topic).put("event", "phx_join").put("ref", joinRef).put("join_ref", joinRef);
        msg.set("payload", payload);
        send(msg);
        return joined;
    }

    void heartbeat() {
        ObjectNode msg = JSON.createObjectNode();
        msg.put("topic", "phoenix").put("event", "heartbeat").put("ref", String.valueOf(refs.incrementAndGet()));
        msg.set("payload", JSON.createObjectNode());
        send(msg);
    }

    private void send(ObjectNode msg) {
        Channel c = channel;
        if (c != null && c.isActive()) c.writeAndFlush(new TextWebSocketFrame(msg.toString()));
    }

    boolean isOpen() {
        Channel c = channel;
        return c != null && c.isActive();
    }

    void close() {
        Channel c = channel;
        if (c != null) c.close();
    }
}
