package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbound path (docs/benchmarks.md, "Broadcast fan-out"): pre-built frames written many per
 * gathering write straight to the connection, fan-out spread over the I/O threads. Whatever the
 * batching and however the kernel splits the writes, every socket gets every frame whole and in
 * order, on both serializers, and control frames (pong, close) still go out.
 */
@Timeout(120)
class RealtimeFanOutTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start(Map.of("PARLEY_REALTIME_MAX_QUEUED_MESSAGES", "5000"));

    /** One commit of many realtime.send: the frames reach each socket in bursts, many per write. */
    @Test
    void aBurstArrivesWholeAndInOrderOnEverySocketAndBothSerializers() {
        List<PhoenixSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) { // enough sockets to land on every I/O thread
                PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey(), i % 2 == 0 ? "2.0.0" : "1.0.0");
                sockets.add(s);
                s.joinOk("realtime:burst", JoinPayloads.realtimeJs().build());
            }
            int n = 2000;
            // sizes vary from a few bytes to past the 16-bit frame length, so every header form is used
            gw.sql("select realtime.send(jsonb_build_object('i', i, 'pad', repeat('x', case when i % 500 = 7 then 70000 else i % 300 end)),"
                    + " 'burst', 'burst', false) from generate_series(0, " + (n - 1) + ") i");
            for (PhoenixSocket s : sockets) {
                long lastPosition = 0;
                for (int i = 0; i < n; i++) {
                    JsonNode m = s.awaitEvent("realtime:burst", "broadcast").path("payload");
                    assertEquals(i, m.path("payload").path("i").asInt(), "order on a " + s.vsn + " socket");
                    int pad = i % 500 == 7 ? 70000 : i % 300;
                    assertEquals(pad, m.path("payload").path("pad").asText().length(), "frame " + i + " whole");
                    long position = Long.parseLong(m.path("position").asText());
                    assertTrue(position > lastPosition, "positions increase");
                    lastPosition = position;
                }
            }
        } finally {
            sockets.forEach(PhoenixSocket::close);
        }
    }

    /**
     * A client that stops reading: frames back up past what the kernel buffers hold, so the server's
     * writes end inside frames (short writes) and continue when the socket drains. Everything,
     * including frames of 200 KB, arrives intact and in order, with a binary broadcast (2.0.0) and
     * replies interleaved where they were sent.
     */
    @Test
    void framesLargerThanOneWriteCompleteAfterShortWrites() {
        try (PhoenixSocket stalled = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket sender = PhoenixSocket.connect(gw, gw.anonKey())) {
            stalled.joinOk("realtime:big", JoinPayloads.realtimeJs().build());
            String js = sender.joinOk("realtime:big", JoinPayloads.realtimeJs().ack().build());
            stalled.pauseReading();
            int n = 60; // 60 x 200 KB = 12 MB: more than loopback socket buffers take
            for (int i = 0; i < n; i++) {
                gw.sql("select realtime.send(jsonb_build_object('i', " + i + ", 'body', repeat(chr(97 + " + (i % 26) + "), 200000)),"
                        + " 'big', 'big', false)");
                if (i == n / 2) {
                    byte[] raw = {9, 8, 7, 0, (byte) 255};
                    sender.sendBinary(RealtimeBroadcastTest.userBroadcastPush(js, "77", "realtime:big", "raw", raw, 0));
                    assertEquals("ok", sender.awaitReply("77").path("payload").path("status").asText());
                }
            }
            String hb = stalled.push(null, "phoenix", "heartbeat", JsonNodeFactory.instance.objectNode());
            stalled.resumeReading();
            for (int i = 0; i < n; i++) {
                if (i == n / 2 + 1) {
                    JsonNode raw = stalled.awaitEvent("realtime:big", "broadcast");
                    assertTrue(raw.path("binary").asBoolean(), raw.toString());
                    assertArrayEquals(new byte[] {9, 8, 7, 0, (byte) 255},
                            raw.path("payload").path("bytes").asText().getBytes(StandardCharsets.ISO_8859_1));
                }
                JsonNode m = stalled.awaitEvent("realtime:big", "broadcast").path("payload").path("payload");
                assertEquals(i, m.path("i").asInt(), "order");
                String body = m.path("body").asText();
                assertEquals(200000, body.length());
                assertEquals(String.valueOf((char) ('a' + i % 26)).repeat(200000), body, "frame " + i + " intact");
            }
            assertEquals("ok", stalled.awaitReply(hb).path("payload").path("status").asText());
        }
    }

    /** A slow consumer is closed with its reason while a fast one on the same topic (1.0.0 here) gets it all. */
    @Test
    void aSlowConsumerIsClosedWhileAFastOneOnTheSameTopicReceivesEverything() {
        try (TestGateway small = TestGateway.start(Map.of("PARLEY_REALTIME_MAX_QUEUED_MESSAGES", "200"));
             PhoenixSocket stalled = PhoenixSocket.connect(small, small.anonKey());
             PhoenixSocket fast = PhoenixSocket.connect(small, small.anonKey(), "1.0.0")) {
            stalled.joinOk("realtime:flood", JoinPayloads.realtimeJs().build());
            fast.joinOk("realtime:flood", JoinPayloads.realtimeJs().build());
            stalled.pauseReading();
            int n = 2000;
            String body = "z".repeat(8000); // 16 MB in all: the stalled socket's buffers fill, then its queue
            for (int from = 0; from < n; from += 100) {
                small.sql("select realtime.send(jsonb_build_object('i', i, 'b', '" + body + "'), 'flood', 'flood', false)"
                        + " from generate_series(" + from + ", " + (from + 99) + ") i");
                fast.push(null, "phoenix", "heartbeat", JsonNodeFactory.instance.objectNode());
                for (int i = from; i < from + 100; i++) {
                    assertEquals(i, fast.awaitEvent("realtime:flood", "broadcast").path("payload").path("payload").path("i").asInt());
                }
            }
            stalled.resumeReading();
            assertEquals(SocketSession.CLOSE_SLOW_CONSUMER, stalled.awaitClose());
            assertTrue(stalled.closeReason.startsWith("slow consumer: more than 200 messages queued"), stalled.closeReason);
        }
    }

    /** A WebSocket ping is answered with a pong carrying its data; a client's close is answered with one. */
    @Test
    void pingIsAnsweredWithPongAndCloseWithClose() throws Exception {
        CompletableFuture<byte[]> pong = new CompletableFuture<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + gw.gateway().port() + "/realtime/v1/websocket?vsn=2.0.0&apikey=" + gw.anonKey()),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onPong(WebSocket w, ByteBuffer message) {
                                byte[] b = new byte[message.remaining()];
                                message.get(b);
                                pong.complete(b);
                                w.request(1);
                                return null;
                            }

                            @Override
                            public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                                closed.complete(statusCode);
                                return null;
                            }
                        }).get(10, TimeUnit.SECONDS);
        ws.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})).get(10, TimeUnit.SECONDS);
        assertArrayEquals(new byte[] {1, 2, 3}, pong.get(10, TimeUnit.SECONDS));
        ws.sendClose(4000, "done").get(10, TimeUnit.SECONDS);
        assertEquals(4000, closed.get(10, TimeUnit.SECONDS));
    }
}
