package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.testing.TestGateway;
import dev.parley.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * realtime.reauthorize(topic): private channels already joined are checked again by RLS, on every
 * node; a channel that lost access is closed (system message with the reason, phx_close, presence
 * removed) and receives nothing committed after the change, while the others keep receiving.
 * Access here is a row of a grants table that the policies on realtime.messages read.
 */
@Timeout(60)
class RealtimeReauthorizeTest {
    static TestGateway gw;
    static UUID alice;
    static UUID bob;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        alice = gw.createUser("alice@reauth.example.com");
        bob = gw.createUser("bob@reauth.example.com");
        gw.sql("create table public.grants (topic text not null, user_id uuid not null, primary key (topic, user_id))");
        gw.sql("grant select on public.grants to authenticated");
        gw.sql("create policy granted_read on realtime.messages for select to authenticated using ("
                + "exists (select from public.grants g where g.topic = realtime.topic() and g.user_id = auth.uid()))");
        gw.sql("create policy granted_write on realtime.messages for insert to authenticated with check ("
                + "exists (select from public.grants g where g.topic = realtime.topic() and g.user_id = auth.uid()))");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static void grant(String topic, UUID... users) {
        for (UUID u : users) gw.sql("insert into public.grants values ('" + topic + "', '" + u + "')");
    }

    /** Revokes and signals in one transaction, as a trigger would. */
    static void revoke(String topic, UUID user) {
        gw.sql("begin; delete from public.grants where topic = '" + topic + "' and user_id = '" + user + "'; "
                + "select realtime.reauthorize('" + topic + "'); commit");
    }

    static boolean bool(String sql) {
        try (Connection c = TestPostgres.connect(gw.database()); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void send(String topic, int n) {
        gw.sql("select realtime.send('{\"n\": " + n + "}'::jsonb, 'note', '" + topic + "', true)");
    }

    static boolean isNote(JsonNode m, int n) {
        return m.path("event").asText().equals("broadcast") && m.path("payload").path("payload").path("n").asInt() == n;
    }

    static void assertRevoked(PhoenixSocket s, String topic) {
        JsonNode system = s.await(m -> m.path("topic").asText().equals("realtime:" + topic)
                && m.path("event").asText().equals("system") && m.path("payload").path("status").asText().equals("error"),
                "system message on " + topic);
        assertEquals(Reauthorizer.revokedReason(topic), system.path("payload").path("message").asText());
        s.awaitEvent("realtime:" + topic, "phx_close");
    }

    @Test
    void aChannelThatLostAccessIsClosedAndReceivesNothingMoreWhileTheOthersKeepReceiving() {
        String topic = "club-" + UUID.randomUUID();
        grant(topic, alice, bob);
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket b = PhoenixSocket.connect(gw, gw.anonKey())) {
            a.joinOk("realtime:" + topic, JoinPayloads.realtimeJs().isPrivate().token(gw.userToken(alice)).build());
            b.joinOk("realtime:" + topic, JoinPayloads.realtimeJs().isPrivate().token(gw.userToken(bob)).build());
            send(topic, 1);
            assertEquals(1, b.await(m -> isNote(m, 1), "note 1").path("payload").path("payload").path("n").asInt());
            a.await(m -> isNote(m, 1), "note 1");

            revoke(topic, bob);
            send(topic, 2); // committed right after the revocation: held, then dropped for bob
            assertRevoked(b, topic);
            a.await(m -> isNote(m, 2), "note 2 for the member still granted");
            send(topic, 3);
            a.await(m -> isNote(m, 3), "note 3 for the member still granted");
            b.assertNone(m -> m.path("topic").asText().equals("realtime:" + topic) && !m.path("event").asText().equals("phx_reply"),
                    500, "anything on the revoked channel");
            // and bob cannot come back
            JsonNode again = b.join("realtime:" + topic, JoinPayloads.realtimeJs().isPrivate().token(gw.userToken(bob)).build());
            assertEquals("error", again.path("payload").path("status").asText());
        }
    }

    @Test
    void aChannelStillAllowedIsKeptAndLosesNothingHeldDuringTheCheck() {
        String topic = "kept-" + UUID.randomUUID();
        grant(topic, alice);
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey())) {
            a.joinOk("realtime:" + topic, JoinPayloads.realtimeJs().isPrivate().token(gw.userToken(alice)).build());
            for (int i = 1; i <= 20; i++) {
                gw.sql("select realtime.reauthorize('" + topic + "')");
                send(topic, i);
            }
            for (int i = 1; i <= 20; i++) {
                int n = i;
                a.await(m -> isNote(m, n), "note " + n);
            }
            a.assertNone(m -> m.path("event").asText().equals("phx_close") || m.path("event").asText().equals("system"),
                    300, "a close of a channel still allowed");
        }
    }

    @Test
    void theRevokedMembersPresenceLeaves() {
        String topic = "presence-" + UUID.randomUUID();
        grant(topic, alice, bob);
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket b = PhoenixSocket.connect(gw, gw.anonKey())) {
            a.joinOk("realtime:" + topic, JoinPayloads.realtimeJs().isPrivate().presence("alice").token(gw.userToken(alice)).build());
            String jb = b.joinOk("realtime:" + topic, JoinPayloads.realtimeJs().isPrivate().presence("bob").token(gw.userToken(bob)).build());
            b.push(jb, "realtime:" + topic, "presence", RealtimePresenceTest.track(JsonNodeFactory.instance.objectNode().put("status", "online")));
            a.await(m -> m.path("event").asText().equals("presence_diff") && m.path("payload").path("joins").has("bob"), "bob joins");
            revoke(topic, bob);
            assertRevoked(b, topic);
            JsonNode leave = a.await(m -> m.path("event").asText().equals("presence_diff")
                    && m.path("payload").path("leaves").has("bob"), "bob's presence leaves");
            assertEquals("online", leave.path("payload").path("leaves").path("bob").path("metas").get(0).path("status").asText());
        }
    }

    @Test
    void aSignalFromOneNodeClosesChannelsOnAnother() {
        String topic = "nodes-" + UUID.randomUUID();
        grant(topic, alice, bob);
        TestGateway second = TestGateway.startOn(gw.database(), Map.of());
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket b = PhoenixSocket.connect(second, second.anonKey());
             PhoenixSocket a2 = PhoenixSocket.connect(second, second.anonKey())) {
            a.joinOk("realtime:" + topic, JoinPayloads.realtimeJs().isPrivate().token(gw.userToken(alice)).build());
            b.joinOk("realtime:" + topic, JoinPayloads.realtimeJs().isPrivate().token(second.userToken(bob)).build());
            a2.joinOk("realtime:" + topic, JoinPayloads.realtimeJs().isPrivate().token(second.userToken(alice)).build());
            revoke(topic, bob);
            send(topic, 7);
            assertRevoked(b, topic);
            a.await(m -> isNote(m, 7), "note 7 on the first node");
            a2.await(m -> isNote(m, 7), "note 7 on the second node");
            b.assertNone(m -> isNote(m, 7), 300, "note 7 for the revoked channel");
        } finally {
            second.close();
        }
    }

    @Test
    void reauthorizeIsOpenToEveryRoleAndIgnoresTopicsNoJoinCouldHave() {
        gw.sql("set role authenticated; select realtime.reauthorize('anything'); reset role");
        gw.sql("select realtime.reauthorize(null)");
        gw.sql("select realtime.reauthorize('" + "x".repeat(300) + "')");
        // the batched check is the gateway's (it runs as service_role), not the API roles'
        assertFalse(bool("select has_function_privilege('authenticated', 'realtime.authorize_groups(text, jsonb)', 'execute')"));
        assertFalse(bool("select has_function_privilege('anon', 'realtime.authorize_groups(text, jsonb)', 'execute')"));
    }
}
