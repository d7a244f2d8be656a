package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Phoenix protocol as realtime-js speaks it: serializers, join, leave, heartbeat, tokens. */
@Timeout(60)
class RealtimeProtocolTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();

    private static ObjectNode empty() {
        return JsonNodeFactory.instance.objectNode();
    }

    @Test
    void heartbeatsAreAnsweredOnTopicPhoenix() {
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            String ref = s.push(null, "phoenix", "heartbeat", empty());
            JsonNode r = s.awaitReply(ref);
            assertEquals("phoenix", r.path("topic").asText());
            assertEquals("ok", r.path("payload").path("status").asText());
            assertTrue(r.path("payload").path("response").isObject());
        }
    }

    @Test
    void aRealtimeJsJoinIsAnsweredOkWithBindingsAndAPosition() {
        for (String vsn : new String[] {"2.0.0", "1.0.0"}) {
            try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey(), vsn)) {
                JsonNode r = s.join("realtime:lobby", JoinPayloads.realtimeJs().build());
                assertEquals("ok", r.path("payload").path("status").asText(), r.toString());
                assertEquals("realtime:lobby", r.path("topic").asText());
                assertEquals(r.path("ref").asText(), r.path("join_ref").asText());
                JsonNode response = r.path("payload").path("response");
                assertTrue(response.path("postgres_changes").isArray());
                assertTrue(response.path("position").asText().matches("[0-9]+"), response.toString());
            }
        }
    }

    @Test
    void leavingRepliesOkThenClosesTheChannel() {
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            String joinRef = s.joinOk("realtime:leave", JoinPayloads.realtimeJs().build());
            String ref = s.push(joinRef, "realtime:leave", "phx_leave", empty());
            assertEquals("ok", s.awaitReply(ref).path("payload").path("status").asText());
            JsonNode close = s.awaitEvent("realtime:leave", "phx_close");
            assertEquals(joinRef, close.path("join_ref").asText());
            String again = s.push(joinRef, "realtime:leave", "broadcast", JsonNodeFactory.instance.objectNode()
                    .put("type", "broadcast").put("event", "x"));
            assertEquals("error", s.awaitReply(again).path("payload").path("status").asText());
        }
    }

    @Test
    void aBadSocketTokenIsRefusedBeforeTheUpgrade() {
        String url = "ws://127.0.0.1:" + gw.gateway().port() + "/realtime/v1/websocket?vsn=2.0.0&apikey=not-a-jwt";
        CompletionException e = assertThrows(CompletionException.class, () -> HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(url), new WebSocket.Listener() { }).orTimeout(10, TimeUnit.SECONDS).join());
        assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
        assertEquals(401, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
    }

    @Test
    void joinsWithBadTokensTopicsOrPayloadsAreRefusedWithAReason() {
        String expired = gw.gateway().context().jwt().sign(Map.of("sub", UUID.randomUUID().toString(), "role", "authenticated",
                "exp", System.currentTimeMillis() / 1000 - 10), 0);
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            JsonNode r = s.join("realtime:t", JoinPayloads.realtimeJs().token(expired).build());
            assertEquals("error", r.path("payload").path("status").asText());
            assertEquals("InvalidJWTToken: Token has expired", r.path("payload").path("response").path("reason").asText());

            r = s.join("realtime:t", JoinPayloads.realtimeJs().token("garbage").build());
            assertTrue(r.path("payload").path("response").path("reason").asText().startsWith("InvalidJWTToken: "), r.toString());

            r = s.join("room", JoinPayloads.realtimeJs().build());
            assertTrue(r.path("payload").path("response").path("reason").asText().startsWith("unmatched topic"), r.toString());

            ObjectNode bad = JoinPayloads.realtimeJs().build();
            ((ObjectNode) bad.get("config").get("broadcast")).put("self", 3);
            assertFalse(JoinSchema.validate(bad).isEmpty(), "the schema refuses it too");
            r = s.join("realtime:t", bad);
            assertEquals("InvalidJoinPayload: config.broadcast.self must be true or false",
                    r.path("payload").path("response").path("reason").asText());

            r = s.join("realtime:t", JoinPayloads.realtimeJs().changes("INSERT", "public", "no_such_table", null).build());
            assertTrue(r.path("payload").path("response").path("reason").asText().contains("no_such_table does not exist"), r.toString());

            r = s.join("realtime:t", JoinPayloads.realtimeJs().changes("INSERT", "public", "t", "id=zz.1").build());
            assertTrue(r.path("payload").path("response").path("reason").asText().contains("unknown operator 'zz'"), r.toString());
        }
    }

    @Test
    void aChannelWhoseTokenExpiresIsClosedUnlessRefreshed() throws Exception {
        UUID user = UUID.randomUUID();
        var jwt = gw.gateway().context().jwt();
        String shortLived = jwt.sign(Map.of("sub", user.toString(), "role", "authenticated"), 2);
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            String a = s.joinOk("realtime:exp-a", JoinPayloads.realtimeJs().token(shortLived).build());
            String b = s.joinOk("realtime:exp-b", JoinPayloads.realtimeJs().token(shortLived).build());
            s.push(b, "realtime:exp-b", "access_token", empty().put("access_token", jwt.sign(
                    Map.of("sub", user.toString(), "role", "authenticated"), 3600)));
            JsonNode sys = s.awaitEvent("realtime:exp-a", "system");
            assertEquals("error", sys.path("payload").path("status").asText());
            assertEquals("InvalidJWTToken: Token has expired", sys.path("payload").path("message").asText());
            assertEquals(a, s.awaitEvent("realtime:exp-a", "phx_close").path("join_ref").asText());
            s.assertNone(m -> m.path("topic").asText().equals("realtime:exp-b") && m.path("event").asText().equals("phx_close"),
                    1500, "close of the refreshed channel");
        }
    }

    @Test
    void aTokenForAnotherUserCannotTakeOverAChannel() {
        var jwt = gw.gateway().context().jwt();
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            s.joinOk("realtime:mine", JoinPayloads.realtimeJs().token(gw.userToken(UUID.randomUUID())).build());
            s.push(null, "realtime:mine", "access_token", empty().put("access_token", gw.userToken(UUID.randomUUID())));
            JsonNode sys = s.awaitEvent("realtime:mine", "system");
            assertTrue(sys.path("payload").path("message").asText().contains("another user"), sys.toString());
            s.awaitEvent("realtime:mine", "phx_close");
        }
    }

    @Test
    void aSecondJoinOfATopicReplacesTheFirst() {
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            String first = s.joinOk("realtime:twice", JoinPayloads.realtimeJs().build());
            String second = s.joinOk("realtime:twice", JoinPayloads.realtimeJs().build());
            assertEquals(first, s.awaitEvent("realtime:twice", "phx_close").path("join_ref").asText());
            assertFalse(first.equals(second));
        }
    }

    @Test
    void gatewayShutdownSendsEverySocketACloseFrame() {
        TestGateway other = TestGateway.start();
        try (PhoenixSocket s = PhoenixSocket.connect(other, other.anonKey())) {
            s.joinOk("realtime:bye", JoinPayloads.realtimeJs().build());
            other.close();
            assertEquals(1001, s.awaitClose());
            assertEquals("server shutting down", s.closeReason);
        }
    }
}
