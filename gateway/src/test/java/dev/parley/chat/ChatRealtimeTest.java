package dev.parley.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.auth.Caller;
import dev.parley.db.RequestTransactions;
import dev.parley.http.Json;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.parley.chat.ChatDb.anon;
import static dev.parley.chat.ChatDb.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chat's realtime side at the SQL level: what the triggers broadcast (read back from
 * realtime.messages and realtime.events, where the gateway picks them up), who may join and send
 * on room:<id> and user:<id> (realtime.authorize, as the realtime server calls it at join), and
 * the published tables' per-subscriber RLS check (realtime.visible_rows).
 */
@Timeout(60)
class ChatRealtimeTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final ChatDb db = new ChatDb(gw);
    static Caller admin;
    static Caller member;
    static Caller outsider;

    @BeforeAll
    static void start() {
        admin = db.newUser("ada@rt.example.com");
        member = db.newUser("max@rt.example.com");
        outsider = db.newUser("olga@rt.example.com");
    }

    UUID roomWithMember() throws Exception {
        return db.roomWith(admin, "private", member);
    }

    record Event(String event, JsonNode payload) {
    }

    /** The broadcasts committed to a topic, in delivery (position) order. */
    List<Event> events(String topic) throws Exception {
        List<Event> out = new ArrayList<>();
        for (Map<String, Object> r : db.admin("select event, payload::text as payload, private from realtime.events "
                + "where kind = 'broadcast' and topic = ? order by position", topic)) {
            assertEquals(true, r.get("private"));
            out.add(new Event((String) r.get("event"), Json.MAPPER.readTree((String) r.get("payload"))));
        }
        return out;
    }

    List<String> names(List<Event> events) {
        return events.stream().map(Event::event).toList();
    }

    @Test
    void aMessagesLifeIsBroadcastToItsRoomTopic() throws Exception {
        UUID room = roomWithMember();
        String topic = "room:" + room;
        int before = events(topic).size();
        UUID m = (UUID) db.value(member, "insert into messages (room_id, content) values (?, 'first draft') returning id", room);
        db.update(member, "update messages set content = 'final text' where id = ?", m);
        db.query(admin, "insert into message_reactions (message_id, emoji) values (?, '👍')", m);
        db.query(admin, "select mark_read(?)", room);
        db.update(member, "delete from messages where id = ?", m);
        List<Event> ev = events(topic).subList(before, events(topic).size());
        assertEquals(List.of("message_created", "message_updated", "reaction_added", "read_receipt",
                "message_deleted", "reaction_removed"), names(ev));
        JsonNode created = ev.get(0).payload();
        assertEquals("INSERT", created.path("operation").asText());
        assertEquals("messages", created.path("table").asText());
        assertEquals("public", created.path("schema").asText());
        assertEquals("first draft", created.path("record").path("content").asText());
        assertEquals(m.toString(), created.path("record").path("id").asText());
        assertFalse(created.path("record").has("search"), "the search vector is not sent");
        JsonNode updated = ev.get(1).payload();
        assertEquals("final text", updated.path("record").path("content").asText());
        assertEquals("first draft", updated.path("old_record").path("content").asText());
        assertTrue(updated.path("record").path("edited").asBoolean());
        JsonNode deleted = ev.get(4).payload();
        assertEquals("", deleted.path("record").path("content").asText());
        assertTrue(deleted.path("old_record").isNull(), "a deletion does not send the deleted text again");
        assertFalse(deleted.toString().contains("final text"));
        assertEquals("👍", ev.get(5).payload().path("old_record").path("emoji").asText());
    }

    @Test
    void membershipChangesGoToTheRoomAndToTheUserConcerned() throws Exception {
        UUID room = roomWithMember();
        String userTopic = "user:" + id(outsider);
        int before = events(userTopic).size();
        db.query(admin, "select invite_member(?, ?)", room, id(outsider));
        db.query(admin, "select set_member_role(?, ?, 'moderator')", room, id(outsider));
        db.query(admin, "select kick_member(?, ?)", room, id(member));
        db.query(admin, "select set_member_role(?, ?, 'member')", room, id(outsider));
        db.query(admin, "select ban_member(?, ?)", room, id(outsider));
        List<String> roomEvents = names(events("room:" + room));
        assertEquals(List.of("member_joined", "member_joined", "member_joined", "member_updated", "member_left",
                "member_updated", "member_left"), roomEvents);
        List<Event> mine = events(userTopic).subList(before, events(userTopic).size());
        assertEquals(List.of("membership_added", "membership_updated", "membership_updated", "membership_removed"), names(mine));
        assertEquals(room.toString(), mine.get(0).payload().path("record").path("room_id").asText());
        assertEquals(room.toString(), mine.get(3).payload().path("old_record").path("room_id").asText());
    }

    @Test
    void notificationsGoToTheirUsersTopicOnly() throws Exception {
        UUID room = roomWithMember();
        int adminBefore = events("user:" + id(admin)).size();
        int memberBefore = events("user:" + id(member)).size();
        UUID m = (UUID) db.value(admin, "insert into messages (room_id, content) values (?, 'ping @max') returning id", room);
        List<Event> got = events("user:" + id(member)).subList(memberBefore, events("user:" + id(member)).size());
        assertEquals(List.of("notification_created"), names(got));
        assertEquals("mention", got.get(0).payload().path("record").path("type").asText());
        assertEquals(m.toString(), got.get(0).payload().path("record").path("message_id").asText());
        assertEquals(adminBefore, events("user:" + id(admin)).size());
        db.update(member, "update notifications set read_at = now() where message_id = ?", m);
        assertEquals("notification_updated", events("user:" + id(member)).get(memberBefore + 1).event());
    }

    @Test
    void roomSettingsAreBroadcastButNotTheTimestampBumpOfEachMessage() throws Exception {
        UUID room = roomWithMember();
        db.update(admin, "update rooms set description = 'new topic' where id = ?", room);
        db.query(member, "insert into messages (room_id, content) values (?, 'hi')", room);
        List<String> ev = names(events("room:" + room));
        assertEquals(1, ev.stream().filter("room_updated"::equals).count(), ev.toString());
        db.update(admin, "delete from rooms where id = ?", room);
        assertTrue(names(events("room:" + room)).contains("room_deleted"));
    }

    /** realtime.authorize as the realtime server runs it: service_role on a request connection, rolled back. */
    Map<String, Boolean> authorize(String topic, Caller caller) throws Exception {
        Caller service = gw.gateway().context().jwt().verify(gw.serviceKey());
        try (Connection c = gw.gateway().context().database().requestPool().getConnection()) {
            c.setAutoCommit(false);
            try {
                RequestTransactions.setCaller(c, service);
                try (PreparedStatement st = c.prepareStatement("select * from realtime.authorize(?, ?, ?, ?)")) {
                    st.setString(1, topic);
                    st.setString(2, caller.role());
                    st.setString(3, caller.claimsJson());
                    st.setString(4, caller.sub());
                    try (ResultSet rs = st.executeQuery()) {
                        assertTrue(rs.next());
                        return Map.of("broadcast_read", rs.getBoolean(1), "presence_read", rs.getBoolean(2),
                                "broadcast_write", rs.getBoolean(3), "presence_write", rs.getBoolean(4));
                    }
                }
            } finally {
                c.rollback();
            }
        }
    }

    static Map<String, Boolean> rights(boolean bRead, boolean pRead, boolean bWrite, boolean pWrite) {
        return Map.of("broadcast_read", bRead, "presence_read", pRead, "broadcast_write", bWrite, "presence_write", pWrite);
    }

    @Test
    void onlyMembersJoinAndSendOnARoomTopicAndOnlyTheUserJoinsTheirOwn() throws Exception {
        UUID room = roomWithMember();
        String topic = "room:" + room;
        assertEquals(rights(true, true, true, true), authorize(topic, member));
        assertEquals(rights(true, true, true, true), authorize(topic, admin));
        assertEquals(rights(false, false, false, false), authorize(topic, outsider));
        assertEquals(rights(false, false, false, false), authorize(topic, anon()));
        // Only the canonical spelling is a room topic; garbage is refused, not an error.
        assertEquals(rights(false, false, false, false), authorize(topic.toUpperCase().replace("ROOM:", "room:"), member));
        assertEquals(rights(false, false, false, false), authorize("room:not-a-uuid", member));
        assertEquals(rights(false, false, false, false), authorize("room:", member));
        // user:<id>: its user receives; nobody sends there (only the database does).
        assertEquals(rights(true, false, false, false), authorize("user:" + id(member), member));
        assertEquals(rights(false, false, false, false), authorize("user:" + id(member), outsider));
        assertEquals(rights(false, false, false, false), authorize("user:" + id(member), anon()));
        // A kicked member loses the topic.
        db.query(admin, "select kick_member(?, ?)", room, id(member));
        assertEquals(rights(false, false, false, false), authorize(topic, member));
        assertEquals(0L, db.adminValue("select count(*) from realtime.messages where event is null"));
    }

    @Test
    void aMemberSendingWithRealtimeSendReachesOnlyTheirRoomTopic() throws Exception {
        UUID room = roomWithMember();
        db.query(member, "select realtime.send('{\"typing\":true}'::jsonb, 'typing', ?, true)", "room:" + room);
        assertEquals(List.of("typing"), names(events("room:" + room)).stream().filter("typing"::equals).toList());
        // An outsider's send is refused by the policy (realtime.send turns that into a warning).
        db.query(outsider, "select realtime.send('{\"typing\":true}'::jsonb, 'typing', ?, true)", "room:" + room);
        db.query(outsider, "select realtime.send('{}'::jsonb, 'spoof', ?, true)", "user:" + id(member));
        assertEquals(1, names(events("room:" + room)).stream().filter("typing"::equals).count());
        assertFalse(names(events("user:" + id(member))).contains("spoof"));
    }

    @Test
    void theChatTablesArePublishedAndRlsDecidesWhoSeesAChange() throws Exception {
        List<Object> published = db.admin("select tablename from pg_publication_tables where pubname = 'supabase_realtime' "
                + "and schemaname = 'public' order by tablename").stream().map(r -> r.get("tablename")).toList();
        assertTrue(published.containsAll(List.of("message_reactions", "messages", "notifications", "read_receipts",
                "room_members", "rooms", "user_profiles")), published.toString());
        UUID room = roomWithMember();
        UUID m = (UUID) db.value(member, "insert into messages (room_id, content) values (?, 'change') returning id", room);
        assertEquals(1L, db.adminValue("select count(*) from realtime.events where kind = 'change' and table_name = 'messages' "
                + "and payload->'record'->>'id' = ?", m.toString()));
        String groups = Json.MAPPER.writeValueAsString(List.of(group(member), group(outsider), group(anon())));
        List<Map<String, Object>> seen;
        // As the realtime server runs it: on a request connection, as authenticator; the function
        // becomes each group's role in turn.
        try (Connection c = gw.gateway().context().database().requestPool().getConnection();
             PreparedStatement st = c.prepareStatement("select grp, visible::text, error from realtime.visible_rows('public.messages', ?::jsonb, ?::jsonb) order by grp")) {
            c.setAutoCommit(false);
            st.setString(1, "[{\"id\":\"" + m + "\"}]");
            st.setString(2, groups);
            seen = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) seen.add(Map.of("visible", String.valueOf(rs.getString(2)), "error", String.valueOf(rs.getString(3))));
            }
            c.rollback();
        }
        assertEquals("{1}", seen.get(0).get("visible"));
        assertEquals("{}", seen.get(1).get("visible"));
        assertEquals("null", seen.get(1).get("error"));
        assertTrue(!seen.get(2).get("visible").equals("{1}"), seen.get(2).toString());
    }

    static Map<String, String> group(Caller c) {
        return Map.of("role", c.role(), "claims", c.claimsJson(), "sub", c.sub(), "keys", "{1}");
    }
}
