package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Broadcast from clients (self, ack, binary frames), over HTTP and from SQL; private topics by RLS. */
@Timeout(60)
class RealtimeBroadcastTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static UUID alice;
    static UUID bob;

    @BeforeAll
    static void start() {
        alice = gw.createUser("alice@example.com");
        bob = gw.createUser("bob@example.com");
        gw.sql("create policy read_rooms on realtime.messages for select to authenticated using ("
                + "realtime.topic() = 'secret:' || auth.uid()::text or realtime.topic() = 'shared')");
        gw.sql("create policy write_own on realtime.messages for insert to authenticated with check ("
                + "realtime.topic() = 'secret:' || auth.uid()::text)");
    }

    static ObjectNode message(String event, ObjectNode payload) {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("type", "broadcast").put("event", event);
        m.set("payload", payload);
        return m;
    }

    static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }

    @Test
    void aBroadcastReachesTheOthersAndTheSenderOnlyWithSelf() {
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket b = PhoenixSocket.connect(gw, gw.anonKey(), "1.0.0");
             PhoenixSocket c = PhoenixSocket.connect(gw, gw.anonKey())) {
            String ja = a.joinOk("realtime:chat", JoinPayloads.realtimeJs().ack().build());
            b.joinOk("realtime:chat", JoinPayloads.realtimeJs().build());
            String jc = c.joinOk("realtime:chat", JoinPayloads.realtimeJs().self().build());
            String ref = a.push(ja, "realtime:chat", "broadcast", message("typing", obj().put("who", "a")));
            assertEquals("ok", a.awaitReply(ref).path("payload").path("status").asText(), "ack");
            JsonNode got = b.awaitEvent("realtime:chat", "broadcast");
            assertEquals("typing", got.path("payload").path("event").asText());
            assertEquals("a", got.path("payload").path("payload").path("who").asText());
            assertEquals("broadcast", got.path("payload").path("type").asText());
            c.awaitEvent("realtime:chat", "broadcast");
            c.push(jc, "realtime:chat", "broadcast", message("typing", obj().put("who", "c")));
            assertEquals("c", c.await(m -> m.path("event").asText().equals("broadcast")
                    && m.path("payload").path("payload").path("who").asText().equals("c"), "own broadcast").path("payload")
                    .path("payload").path("who").asText());
            a.assertNone(m -> m.path("payload").path("payload").path("who").asText().equals("a"), 500, "own broadcast without self");
        }
    }

    /** realtime-js 2.x (vsn 2.0.0) pushes broadcasts as binary user-broadcast frames. */
    @Test
    void binaryUserBroadcastFramesAreRelayedBinaryToV2AndAsJsonToV1() {
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket v2 = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket v1 = PhoenixSocket.connect(gw, gw.anonKey(), "1.0.0")) {
            String ja = a.joinOk("realtime:bin", JoinPayloads.realtimeJs().ack().build());
            v2.joinOk("realtime:bin", JoinPayloads.realtimeJs().build());
            v1.joinOk("realtime:bin", JoinPayloads.realtimeJs().build());
            byte[] frame = userBroadcastPush(ja, "9", "realtime:bin", "cursor", "{\"x\":1,\"y\":2}".getBytes(StandardCharsets.UTF_8), 1);
            a.sendBinary(frame);
            assertEquals("ok", a.awaitReply("9").path("payload").path("status").asText());
            JsonNode got2 = v2.awaitEvent("realtime:bin", "broadcast");
            assertTrue(got2.path("binary").asBoolean(), got2.toString());
            assertEquals("cursor", got2.path("payload").path("event").asText());
            assertEquals(2, got2.path("payload").path("payload").path("y").asInt());
            JsonNode got1 = v1.awaitEvent("realtime:bin", "broadcast");
            assertEquals(1, got1.path("payload").path("payload").path("x").asInt());

            a.sendBinary(userBroadcastPush(ja, "10", "realtime:bin", "raw", new byte[] {1, 2, 3}, 0));
            JsonNode raw = v2.awaitEvent("realtime:bin", "broadcast");
            assertEquals("raw", raw.path("payload").path("event").asText());
            assertEquals("\u0001\u0002\u0003", raw.path("payload").path("bytes").asText());
            v1.assertNone(m -> m.path("payload").path("event").asText().equals("raw"), 500, "raw bytes on a 1.0.0 socket");
        }
    }

    static byte[] userBroadcastPush(String joinRef, String ref, String topic, String event, byte[] payload, int encoding) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] j = joinRef.getBytes(StandardCharsets.UTF_8);
        byte[] r = ref.getBytes(StandardCharsets.UTF_8);
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        byte[] e = event.getBytes(StandardCharsets.UTF_8);
        out.write(3);
        out.write(j.length);
        out.write(r.length);
        out.write(t.length);
        out.write(e.length);
        out.write(0);
        out.write(encoding);
        out.writeBytes(j);
        out.writeBytes(r);
        out.writeBytes(t);
        out.writeBytes(e);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    @Test
    void theHttpApiBroadcastsToTopics() {
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            s.joinOk("realtime:news", JoinPayloads.realtimeJs().build());
            var res = gw.send(gw.request("/realtime/v1/api/broadcast").header("apikey", gw.anonKey())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"messages\":[{\"topic\":\"news\",\"event\":\"headline\",\"payload\":{\"t\":\"hi\"}}]}")).build());
            assertEquals(202, res.statusCode(), res.body());
            JsonNode got = s.awaitEvent("realtime:news", "broadcast");
            assertEquals("headline", got.path("payload").path("event").asText());
            assertEquals("hi", got.path("payload").path("payload").path("t").asText());

            var bad = gw.send(gw.request("/realtime/v1/api/broadcast").header("apikey", gw.anonKey())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"topic\":\"news\"}]}")).build());
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("messages[0].event"), bad.body());
            var forbidden = gw.send(gw.request("/realtime/v1/api/broadcast").header("Authorization", "Bearer " + gw.userToken(alice))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"topic\":\"secret:" + bob
                            + "\",\"event\":\"x\",\"payload\":{},\"private\":true}]}")).build());
            assertEquals(403, forbidden.statusCode(), forbidden.body());
        }
    }

    @Test
    void theOneMessageHttpFormOfHttpSendBroadcastsAndAuthorizesPrivateTopics() {
        // realtime-js 2.1xx httpSend: POST /api/broadcast/{topic}/events/{event}[?private=true], body = payload
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            s.joinOk("realtime:room a", JoinPayloads.realtimeJs().build());
            var res = gw.send(gw.request("/realtime/v1/api/broadcast/room%20a/events/cursor%2Fmove").header("apikey", gw.anonKey())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"x\":1}")).build());
            assertEquals(202, res.statusCode(), res.body());
            JsonNode got = s.awaitEvent("realtime:room a", "broadcast");
            assertEquals("cursor/move", got.path("payload").path("event").asText());
            assertEquals(1, got.path("payload").path("payload").path("x").asInt());

            var forbidden = gw.send(gw.request("/realtime/v1/api/broadcast/secret:" + bob + "/events/x?private=true")
                    .header("Authorization", "Bearer " + gw.userToken(alice)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            assertEquals(403, forbidden.statusCode(), forbidden.body());
            var allowed = gw.send(gw.request("/realtime/v1/api/broadcast/secret:" + alice + "/events/x?private=true")
                    .header("Authorization", "Bearer " + gw.userToken(alice)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            assertEquals(202, allowed.statusCode(), allowed.body());
            var badPath = gw.send(gw.request("/realtime/v1/api/broadcast/news/x").header("apikey", gw.anonKey())
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            assertEquals(404, badPath.statusCode(), badPath.body());
            var notObject = gw.send(gw.request("/realtime/v1/api/broadcast/news/events/x").header("apikey", gw.anonKey())
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("[1]")).build());
            assertEquals(400, notObject.statusCode(), notObject.body());
            var binary = gw.send(gw.request("/realtime/v1/api/broadcast/news/events/x").header("apikey", gw.anonKey())
                    .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofString("ab")).build());
            assertEquals(415, binary.statusCode(), binary.body());
            var persist = gw.send(gw.request("/realtime/v1/api/broadcast/news/events/x?private=true&persist=true")
                    .header("apikey", gw.anonKey()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            assertEquals(400, persist.statusCode(), persist.body());
            s.assertNone(m -> m.path("payload").path("event").asText().equals("x"), 300, "a refused HTTP broadcast");
        }
    }

    @Test
    void realtimeSendFromSqlReachesSubscribersWithAPositionAndRespectsPrivacy() {
        try (PhoenixSocket pub = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket priv = PhoenixSocket.connect(gw, gw.anonKey())) {
            pub.joinOk("realtime:shared", JoinPayloads.realtimeJs().build());
            priv.joinOk("realtime:shared", JoinPayloads.realtimeJs().isPrivate().token(gw.userToken(alice)).build());
            gw.sql("select realtime.send('{\"n\":1}', 'tick', 'shared', false)");
            gw.sql("select realtime.send('{\"n\":2}', 'tick', 'shared', true)");
            JsonNode p = pub.awaitEvent("realtime:shared", "broadcast");
            assertEquals(1, p.path("payload").path("payload").path("n").asInt());
            assertTrue(p.path("payload").path("position").asText().matches("[0-9]+"));
            JsonNode q = priv.awaitEvent("realtime:shared", "broadcast");
            assertEquals(2, q.path("payload").path("payload").path("n").asInt());
            assertTrue(Long.parseLong(q.path("payload").path("position").asText()) > Long.parseLong(p.path("payload").path("position").asText()));
            pub.assertNone(m -> m.path("payload").path("payload").path("n").asInt() == 2, 300, "a private message on a public channel");
        }
    }

    @Test
    void privateTopicsAreAuthorizedByRlsAtJoinAndForSending() {
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket b = PhoenixSocket.connect(gw, gw.anonKey())) {
            String mine = "realtime:secret:" + alice;
            JsonNode refused = b.join(mine, JoinPayloads.realtimeJs().isPrivate().token(gw.userToken(bob)).build());
            assertEquals("error", refused.path("payload").path("status").asText());
            assertEquals("Unauthorized: You do not have permissions to read from this Channel topic: secret:" + alice,
                    refused.path("payload").path("response").path("reason").asText());
            JsonNode anon = b.join(mine, JoinPayloads.realtimeJs().isPrivate().build());
            assertEquals("error", anon.path("payload").path("status").asText());

            String ja = a.joinOk(mine, JoinPayloads.realtimeJs().isPrivate().ack().self().token(gw.userToken(alice)).build());
            String ref = a.push(ja, mine, "broadcast", message("note", obj().put("k", 1)));
            assertEquals("ok", a.awaitReply(ref).path("payload").path("status").asText());
            a.awaitEvent(mine, "broadcast");

            String js = a.joinOk("realtime:shared", JoinPayloads.realtimeJs().isPrivate().ack().token(gw.userToken(alice)).build());
            ref = a.push(js, "realtime:shared", "broadcast", message("note", obj()));
            JsonNode denied = a.awaitReply(ref);
            assertEquals("error", denied.path("payload").path("status").asText());
            assertTrue(denied.path("payload").path("response").path("reason").asText().startsWith("Unauthorized"));
        }
    }

    @Test
    void aBroadcastOnOneNodeReachesSubscribersOnAnother() {
        TestGateway second = TestGateway.startOn(gw.database(), Map.of());
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket b = PhoenixSocket.connect(second, second.anonKey())) {
            String ja = a.joinOk("realtime:nodes", JoinPayloads.realtimeJs().build());
            b.joinOk("realtime:nodes", JoinPayloads.realtimeJs().build());
            a.push(ja, "realtime:nodes", "broadcast", message("hello", obj().put("from", "A")));
            assertEquals("A", b.awaitEvent("realtime:nodes", "broadcast").path("payload").path("payload").path("from").asText());
            String big = "x".repeat(20_000);
            a.push(ja, "realtime:nodes", "broadcast", message("big", obj().put("body", big)));
            assertEquals(20_000, b.await(m -> m.path("payload").path("event").asText().equals("big"), "big broadcast")
                    .path("payload").path("payload").path("body").asText().length());
        } finally {
            second.close();
        }
    }
}
