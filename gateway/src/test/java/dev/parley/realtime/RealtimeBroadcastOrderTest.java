package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Per-sender order of client broadcasts: a broadcast too large for NOTIFY travels through
 * realtime.bus_messages and is read back by every node, yet it is delivered exactly where it was
 * sent among the small ones around it, on the sender's node and on another node alike.
 */
@Timeout(60)
class RealtimeBroadcastOrderTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    /** A second node on the same database. */
    static final TestGateway other = TestGateway.startOn(gw.database(), Map.of());

    @AfterAll
    static void stopOther() {
        other.close();
    }

    private static ObjectNode broadcast(int seq, int padding) {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("type", "broadcast").put("event", "seq");
        ObjectNode p = m.putObject("payload");
        p.put("seq", seq);
        if (padding > 0) p.put("pad", "x".repeat(padding));
        return m;
    }

    private static List<Integer> receive(PhoenixSocket s, String topic, int n) {
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JsonNode m = s.awaitEvent(topic, "broadcast");
            got.add(m.path("payload").path("payload").path("seq").asInt());
        }
        return got;
    }

    @Test
    void aLargeBroadcastIsDeliveredInItsPlaceAmongTheSmallOnesOfTheSameSender() {
        String topic = "realtime:order";
        // 20 KB broadcasts (past NOTIFY's 8000 bytes) at fixed places among small ones
        List<Integer> large = List.of(0, 1, 7, 8, 9, 20, 35);
        int count = 40;
        try (PhoenixSocket sender = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket sameNode = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket otherNode = PhoenixSocket.connect(other, other.anonKey(), "1.0.0")) {
            String join = sender.joinOk(topic, JoinPayloads.realtimeJs().build());
            sameNode.joinOk(topic, JoinPayloads.realtimeJs().build());
            otherNode.joinOk(topic, JoinPayloads.realtimeJs().build());
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                // pushed back to back, no ack awaited: the order is the one on the wire
                sender.push(join, topic, "broadcast", broadcast(i, large.contains(i) ? 20_000 : 0));
                expected.add(i);
            }
            assertEquals(expected, receive(sameNode, topic, count), "order on the sender's node");
            assertEquals(expected, receive(otherNode, topic, count), "order on another node");
            sameNode.assertNone(m -> m.path("event").asText().equals("broadcast"), 300, "a duplicate");
        }
    }

    @Test
    void theLargeBroadcastArrivesWhole() {
        String topic = "realtime:whole";
        try (PhoenixSocket sender = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket receiver = PhoenixSocket.connect(other, other.anonKey())) {
            String join = sender.joinOk(topic, JoinPayloads.realtimeJs().ack().build());
            receiver.joinOk(topic, JoinPayloads.realtimeJs().build());
            String ref = sender.push(join, topic, "broadcast", broadcast(1, 20_000));
            assertEquals("ok", sender.awaitReply(ref).path("payload").path("status").asText(), "ack once published");
            JsonNode got = receiver.awaitEvent(topic, "broadcast").path("payload").path("payload");
            assertEquals(1, got.path("seq").asInt());
            assertEquals("x".repeat(20_000), got.path("pad").asText());
        }
    }
}
