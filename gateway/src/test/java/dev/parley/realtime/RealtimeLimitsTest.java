package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PARLEY_REALTIME_* limits: each refusal says why, and no client can hurt the others. */
@Timeout(90)
class RealtimeLimitsTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start(Map.of(
            "PARLEY_REALTIME_MAX_CHANNELS", "2",
            "PARLEY_REALTIME_MAX_PAYLOAD_BYTES", "4096",
            "PARLEY_REALTIME_MAX_MESSAGES_PER_SECOND", "40",
            "PARLEY_REALTIME_HEARTBEAT_TIMEOUT", "4",
            "PARLEY_REALTIME_MAX_QUEUED_MESSAGES", "300"));

    @Test
    void aSlowConsumerIsDisconnectedWithAReasonAndTheOthersGetEverything() throws Exception {
        try (PhoenixSocket stalled = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket healthy = PhoenixSocket.connect(gw, gw.anonKey())) {
            stalled.joinOk("realtime:flood", JoinPayloads.realtimeJs().build());
            healthy.joinOk("realtime:flood", JoinPayloads.realtimeJs().build());
            stalled.pauseReading();
            String body = "y".repeat(3000);
            int n = 3000; // ~9 MB: more than the loopback buffers hold; bursts of 100 per commit stay under the limit
            StringBuilder sql = new StringBuilder();
            for (int i = 0; i < n; i++) {
                sql.append("select realtime.send(jsonb_build_object('i', ").append(i).append(", 'b', '").append(body)
                        .append("'), 'flood', 'flood', false);");
                if (i % 100 == 99) {
                    gw.sql(sql.toString());
                    sql.setLength(0);
                    // both keep heartbeating: only the queue limit may end the stalled one
                    healthy.push(null, "phoenix", "heartbeat", JsonNodeFactory.instance.objectNode());
                    try {
                        stalled.push(null, "phoenix", "heartbeat", JsonNodeFactory.instance.objectNode());
                    } catch (RuntimeException disconnected) {
                        // the server already dropped it: what this test expects
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                JsonNode m = healthy.awaitEvent("realtime:flood", "broadcast");
                assertEquals(i, m.path("payload").path("payload").path("i").asInt());
                if (i % 200 == 0) healthy.push(null, "phoenix", "heartbeat", JsonNodeFactory.instance.objectNode());
            }
            stalled.resumeReading();
            assertEquals(1013, stalled.awaitClose());
            assertTrue(stalled.closeReason.startsWith("slow consumer"), stalled.closeReason);
        }
    }

    @Test
    void aSilentSocketIsClosedAfterTheHeartbeatTimeout() {
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            s.joinOk("realtime:silent", JoinPayloads.realtimeJs().build());
            assertEquals(1000, s.awaitClose());
            assertTrue(s.closeReason.startsWith("heartbeat timeout"), s.closeReason);
        }
    }

    @Test
    void channelsPerSocketAreLimited() {
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            s.joinOk("realtime:c1", JoinPayloads.realtimeJs().build());
            s.joinOk("realtime:c2", JoinPayloads.realtimeJs().build());
            JsonNode r = s.join("realtime:c3", JoinPayloads.realtimeJs().build());
            assertEquals("ChannelRateLimitReached: Too many channels (at most 2 per socket)",
                    r.path("payload").path("response").path("reason").asText());
        }
    }

    @Test
    void messagesPerSecondAreLimitedWithAnErrorReply() {
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            String j = s.joinOk("realtime:rate", JoinPayloads.realtimeJs().ack().build());
            String last = null;
            for (int i = 0; i < 60; i++) {
                ObjectNode m = JsonNodeFactory.instance.objectNode().put("type", "broadcast").put("event", "e");
                last = s.push(j, "realtime:rate", "broadcast", m);
            }
            JsonNode r = s.await(m -> m.path("event").asText().equals("phx_reply")
                    && m.path("payload").path("status").asText().equals("error"), "a rate-limit refusal");
            assertTrue(r.path("payload").path("response").path("reason").asText().startsWith("RateLimitReached"), r.toString());
            assertTrue(last != null);
        }
    }

    @Test
    void anOversizedFrameClosesTheSocket() {
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            String j = s.joinOk("realtime:size", JoinPayloads.realtimeJs().build());
            ObjectNode m = JsonNodeFactory.instance.objectNode().put("type", "broadcast").put("event", "e");
            m.putObject("payload").put("b", "z".repeat(10_000));
            s.push(j, "realtime:size", "broadcast", m);
            assertEquals(1009, s.awaitClose());
        }
    }
}
