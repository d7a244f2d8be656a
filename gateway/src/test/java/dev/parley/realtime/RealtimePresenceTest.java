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

/** Presence in Phoenix's shapes, across nodes; presences vanish with their socket. */
@Timeout(60)
class RealtimePresenceTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();

    static ObjectNode track(ObjectNode meta) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("type", "presence").put("event", "track");
        p.set("payload", meta);
        return p;
    }

    @Test
    void trackSyncsStateAndDiffsAndACloseLeaves() {
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket b = PhoenixSocket.connect(gw, gw.anonKey())) {
            String ja = a.joinOk("realtime:room", JoinPayloads.realtimeJs().presence("alice").build());
            JsonNode empty = a.awaitEvent("realtime:room", "presence_state");
            assertEquals(0, empty.path("payload").size());
            String ref = a.push(ja, "realtime:room", "presence", track(JsonNodeFactory.instance.objectNode().put("status", "online")));
            assertEquals("ok", a.awaitReply(ref).path("payload").path("status").asText());
            JsonNode diff = a.awaitEvent("realtime:room", "presence_diff");
            JsonNode meta = diff.path("payload").path("joins").path("alice").path("metas").get(0);
            assertEquals("online", meta.path("status").asText());
            assertTrue(meta.path("phx_ref").asText().length() > 4);

            b.joinOk("realtime:room", JoinPayloads.realtimeJs().presence("bob").build());
            JsonNode state = b.awaitEvent("realtime:room", "presence_state");
            assertEquals("online", state.path("payload").path("alice").path("metas").get(0).path("status").asText());
            assertEquals(meta.path("phx_ref").asText(), state.path("payload").path("alice").path("metas").get(0).path("phx_ref").asText());

            // an update replaces the meta: a join with phx_ref_prev and a leave of the old ref
            a.push(ja, "realtime:room", "presence", track(JsonNodeFactory.instance.objectNode().put("status", "away")));
            JsonNode upd = b.await(m -> m.path("event").asText().equals("presence_diff")
                    && m.path("payload").path("joins").has("alice"), "update diff");
            assertEquals("away", upd.path("payload").path("joins").path("alice").path("metas").get(0).path("status").asText());
            assertEquals(meta.path("phx_ref").asText(), upd.path("payload").path("joins").path("alice").path("metas").get(0).path("phx_ref_prev").asText());
            assertEquals(meta.path("phx_ref").asText(), upd.path("payload").path("leaves").path("alice").path("metas").get(0).path("phx_ref").asText());

            a.close();
            JsonNode leave = b.await(m -> m.path("event").asText().equals("presence_diff")
                    && m.path("payload").path("leaves").has("alice"), "leave after close");
            assertEquals("away", leave.path("payload").path("leaves").path("alice").path("metas").get(0).path("status").asText());
        }
    }

    @Test
    void untrackLeaves() {
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey())) {
            String ja = a.joinOk("realtime:untrack", JoinPayloads.realtimeJs().presence("k").build());
            a.push(ja, "realtime:untrack", "presence", track(JsonNodeFactory.instance.objectNode()));
            a.awaitEvent("realtime:untrack", "presence_diff");
            ObjectNode untrack = JsonNodeFactory.instance.objectNode().put("type", "presence").put("event", "untrack");
            a.push(ja, "realtime:untrack", "presence", untrack);
            JsonNode d = a.await(m -> m.path("event").asText().equals("presence_diff") && m.path("payload").path("leaves").has("k"), "leave");
            assertEquals(0, d.path("payload").path("joins").size());
            String bad = a.push(ja, "realtime:untrack", "presence", JsonNodeFactory.instance.objectNode()
                    .put("type", "presence").put("event", "track").put("payload", "nope"));
            assertEquals("Presence track payload must be a map", a.awaitReply(bad).path("payload").path("response").path("reason").asText());
        }
    }

    @Test
    void presenceIsConsistentAcrossNodesAndGoesWithAStoppedNode() {
        TestGateway second = TestGateway.startOn(gw.database(), Map.of());
        boolean secondClosed = false;
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket b = PhoenixSocket.connect(second, second.anonKey())) {
            a.joinOk("realtime:multi", JoinPayloads.realtimeJs().presence("a").build());
            String jb = b.joinOk("realtime:multi", JoinPayloads.realtimeJs().presence("b").build());
            b.push(jb, "realtime:multi", "presence", track(JsonNodeFactory.instance.objectNode().put("node", 2)));
            JsonNode d = a.await(m -> m.path("event").asText().equals("presence_diff") && m.path("payload").path("joins").has("b"), "join from node 2");
            assertEquals(2, d.path("payload").path("joins").path("b").path("metas").get(0).path("node").asInt());
            try (PhoenixSocket late = PhoenixSocket.connect(gw, gw.anonKey())) {
                late.joinOk("realtime:multi", JoinPayloads.realtimeJs().presence("late").build());
                assertTrue(late.awaitEvent("realtime:multi", "presence_state").path("payload").has("b"));
            }
            second.close();
            secondClosed = true;
            a.await(m -> m.path("event").asText().equals("presence_diff") && m.path("payload").path("leaves").has("b"), "leave of the stopped node");
        } finally {
            if (!secondClosed) second.close();
        }
    }

    @Test
    void presencesOfACrashedNodeAreRemovedByTheOthers() {
        TestGateway quick = TestGateway.start(Map.of("PARLEY_REALTIME_NODE_TIMEOUT", "3"));
        try (PhoenixSocket a = PhoenixSocket.connect(quick, quick.anonKey())) {
            a.joinOk("realtime:sweep", JoinPayloads.realtimeJs().presence("me").build());
            // a node that died without cleaning up: its row stopped being refreshed long ago
            quick.sql("insert into realtime.nodes (node, seen_at) values ('crashed', now() - interval '1 hour')");
            quick.sql("insert into realtime.presences (node, topic, private, key, ref, meta) "
                    + "values ('crashed', 'sweep', false, 'ghost', 'Fghost', '{}')");
            a.await(m -> m.path("event").asText().equals("presence_diff") && m.path("payload").path("leaves").has("ghost"),
                    "the ghost's leave");
        } finally {
            quick.close();
        }
    }
}
