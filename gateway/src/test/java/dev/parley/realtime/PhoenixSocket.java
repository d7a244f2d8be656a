package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.http.Json;
import dev.parley.testing.TestGateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A test client speaking Phoenix over a real WebSocket, as realtime-js does: vsn 2.0.0 arrays by
 * default, 1.0.0 objects on request. Every received message is normalized to
 * {join_ref, ref, topic, event, payload}; binary user-broadcast frames become
 * {event: "broadcast", payload: {type, event, payload}, binary: true}. Every wait has a timeout.
 */
final class PhoenixSocket implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);

    final String vsn;
    private final WebSocket ws;
    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    final CompletableFuture<int[]> closedCode = new CompletableFuture<>();
    volatile String closeReason;
    private final AtomicInteger refs = new AtomicInteger();
    private Holder holder;
    private final List<JsonNode> seen = new ArrayList<>();

    private PhoenixSocket(String vsn, WebSocket ws) {
        this.vsn = vsn;
        this.ws = ws;
    }

    static PhoenixSocket connect(TestGateway gw, String token, String vsn) {
        String url = "ws://127.0.0.1:" + gw.gateway().port() + "/realtime/v1/websocket?vsn=" + vsn
                + (token == null ? "" : "&apikey=" + token);
        Holder h = new Holder();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT)
                .buildAsync(URI.create(url), h).orTimeout(10, TimeUnit.SECONDS).join();
        PhoenixSocket s = new PhoenixSocket(vsn, ws);
        s.holder = h;
        h.socket = s;
        h.ready.complete(null);
        return s;
    }

    static PhoenixSocket connect(TestGateway gw, String token) {
        return connect(gw, token, "2.0.0");
    }

    private static final class Holder implements WebSocket.Listener {
        volatile PhoenixSocket socket;
        volatile boolean paused;
        volatile WebSocket ws;
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final java.io.ByteArrayOutputStream bin = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String t = text.toString();
                text.setLength(0);
                ready.join();
                socket.receivedText(t);
            }
            this.ws = ws;
            if (!paused) ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bin.writeBytes(b);
            if (last) {
                byte[] all = bin.toByteArray();
                bin.reset();
                ready.join();
                socket.receivedBinary(all);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            ready.join();
            socket.closeReason = reason;
            socket.closedCode.complete(new int[] {statusCode});
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            ready.join();
            socket.closedCode.complete(new int[] {-1});
        }
    }

    private void receivedText(String t) {
        try {
            JsonNode n = Json.MAPPER.readTree(t);
            ObjectNode m = JsonNodeFactory.instance.objectNode();
            if (n.isArray()) {
                m.set("join_ref", n.get(0));
                m.set("ref", n.get(1));
                m.set("topic", n.get(2));
                m.set("event", n.get(3));
                m.set("payload", n.get(4));
            } else {
                m.setAll((ObjectNode) n);
            }
            inbox.add(m);
        } catch (Exception e) {
            throw new IllegalStateException("server sent unreadable text: " + t, e);
        }
    }

    private void receivedBinary(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        int kind = buf.get();
        if (kind != 4) throw new IllegalStateException("unexpected binary kind " + kind);
        int topicLen = Byte.toUnsignedInt(buf.get());
        int eventLen = Byte.toUnsignedInt(buf.get());
        int metaLen = Byte.toUnsignedInt(buf.get());
        int encoding = buf.get();
        String topic = str(buf, topicLen);
        String event = str(buf, eventLen);
        str(buf, metaLen);
        byte[] rest = new byte[buf.remaining()];
        buf.get(rest);
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.putNull("join_ref");
        m.putNull("ref");
        m.put("topic", topic).put("event", "broadcast").put("binary", true);
        ObjectNode p = m.putObject("payload");
        p.put("type", "broadcast").put("event", event);
        try {
            if (encoding == 1) p.set("payload", Json.MAPPER.readTree(rest));
            else p.put("bytes", new String(rest, StandardCharsets.ISO_8859_1));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        inbox.add(m);
    }

    private static String str(ByteBuffer b, int len) {
        byte[] x = new byte[len];
        b.get(x);
        return new String(x, StandardCharsets.UTF_8);
    }

    String nextRef() {
        return Integer.toString(refs.incrementAndGet());
    }

    /** Sends a message; returns its ref. */
    String push(String joinRef, String topic, String event, JsonNode payload) {
        String ref = nextRef();
        pushWithRef(joinRef, ref, topic, event, payload);
        return ref;
    }

    void pushWithRef(String joinRef, String ref, String topic, String event, JsonNode payload) {
        String text;
        if (vsn.equals("2.0.0")) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            a.add(joinRef).add(ref).add(topic).add(event).add(payload);
            text = a.toString();
        } else {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("join_ref", joinRef).put("ref", ref).put("topic", topic).put("event", event);
            o.set("payload", payload);
            text = o.toString();
        }
        sendText(text);
    }

    void sendText(String text) {
        ws.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    void sendBinary(byte[] bytes) {
        ws.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** The next message matching {@code p}, skipping others (kept in {@link #seen}); fails after the timeout. */
    JsonNode await(Predicate<JsonNode> p, String what) {
        synchronized (seen) {
            for (int i = 0; i < seen.size(); i++) {
                if (p.test(seen.get(i))) return seen.remove(i);
            }
        }
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            JsonNode m;
            try {
                m = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (m == null) throw new AssertionError("timed out waiting for " + what + "; other messages: " + seen);
            if (p.test(m)) return m;
            synchronized (seen) {
                seen.add(m);
            }
        }
    }

    JsonNode awaitEvent(String topic, String event) {
        return await(m -> m.path("topic").asText().equals(topic) && m.path("event").asText().equals(event),
                event + " on " + topic);
    }

    JsonNode awaitReply(String ref) {
        return await(m -> m.path("event").asText().equals("phx_reply") && m.path("ref").asText().equals(ref), "reply " + ref);
    }

    /** Nothing matching {@code p} arrives within {@code millis}. */
    void assertNone(Predicate<JsonNode> p, long millis, String what) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) return;
            JsonNode m;
            try {
                m = inbox.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (m != null && p.test(m)) throw new AssertionError("unexpected " + what + ": " + m);
        }
    }

    /** phx_join with {@code payload}; returns the reply. */
    JsonNode join(String topic, JsonNode payload) {
        String ref = nextRef();
        pushWithRef(ref, ref, topic, "phx_join", payload);
        return awaitReply(ref);
    }

    /** Joins and asserts ok; returns the join ref. */
    String joinOk(String topic, JsonNode payload) {
        JsonNode r = join(topic, payload);
        if (!r.path("payload").path("status").asText().equals("ok")) throw new AssertionError("join refused: " + r);
        return r.path("join_ref").asText();
    }

    int awaitClose() {
        return closedCode.orTimeout(10, TimeUnit.SECONDS).join()[0];
    }

    /** Stops reading from the socket (a stalled consumer): the server's writes back up. */
    void pauseReading() {
        holder.paused = true;
    }

    void resumeReading() {
        holder.paused = false;
        ws.request(1);
    }

    void abort() {
        ws.abort();
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            try {
                ws.sendClose(1000, "bye").orTimeout(5, TimeUnit.SECONDS).join();
            } catch (RuntimeException ignored) {
                // already closing
            }
        }
        ws.abort();
    }
}
