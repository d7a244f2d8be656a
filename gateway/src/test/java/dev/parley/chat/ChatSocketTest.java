package dev.parley.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.auth.Caller;
import dev.parley.http.Json;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static dev.parley.chat.ChatDb.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chat over real realtime sockets (Phoenix protocol, vsn 1.0.0, as realtime-js speaks it):
 * members receive the database's broadcasts on room:<id> and each other's typing events;
 * outsiders and anon can neither join the room's topic nor reach its members; each user alone
 * joins user:<id>, where notifications and membership changes arrive.
 */
@Timeout(60)
class ChatSocketTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final ChatDb db = new ChatDb(gw);
    static Caller admin;
    static Caller member;
    static Caller outsider;

    @BeforeAll
    static void start() {
        admin = db.newUser("ada@socket.example.com");
        member = db.newUser("max@socket.example.com");
        outsider = db.newUser("olga@socket.example.com");
    }

    /** One socket, its frames in a queue. */
    static final class Client implements WebSocket.Listener, AutoCloseable {
        final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        final List<JsonNode> seen = new ArrayList<>();
        final StringBuilder partial = new StringBuilder();
        final AtomicInteger refs = new AtomicInteger();
        final String token;
        WebSocket ws;

        Client(String token) {
            this.token = token;
            String url = gw.baseUrl().replace("http://", "ws://") + "/realtime/v1/websocket?vsn=1.0.0&apikey=" + gw.anonKey();
            ws = gw.http().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create(url), this).orTimeout(10, TimeUnit.SECONDS).join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(Json.MAPPER.readTree(partial.toString()));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        String send(String topic, String event, Object payload) {
            String ref = Integer.toString(refs.incrementAndGet());
            ObjectNode frame = Json.MAPPER.createObjectNode();
            frame.put("topic", "realtime:" + topic).put("event", event).put("ref", ref).put("join_ref", "1");
            frame.set("payload", Json.MAPPER.valueToTree(payload));
            ws.sendText(frame.toString(), true).orTimeout(5, TimeUnit.SECONDS).join();
            return ref;
        }

        /** Joins a private topic; returns the reply's payload ({status, response}). */
        JsonNode join(String topic) throws InterruptedException {
            String ref = send(topic, "phx_join", Map.of("config", Map.of("private", true,
                    "broadcast", Map.of("self", false, "ack", true), "presence", Map.of("key", ""),
                    "postgres_changes", List.of()), "access_token", token));
            return await(f -> f.path("event").asText().equals("phx_reply") && f.path("ref").asText().equals(ref), 10)
                    .path("payload");
        }

        JsonNode broadcast(String topic, String event, Map<String, Object> payload) throws InterruptedException {
            String ref = send(topic, "broadcast", Map.of("type", "broadcast", "event", event, "payload", payload));
            return await(f -> f.path("event").asText().equals("phx_reply") && f.path("ref").asText().equals(ref), 10)
                    .path("payload");
        }

        /** The next (or an already seen) frame matching, within the time limit; else fails. */
        JsonNode await(Predicate<JsonNode> match, int seconds) throws InterruptedException {
            JsonNode f = poll(match, seconds * 1000L);
            if (f == null) throw new AssertionError("no matching frame within " + seconds + " s; saw " + seen);
            return f;
        }

        JsonNode poll(Predicate<JsonNode> match, long millis) throws InterruptedException {
            for (JsonNode f : seen) if (match.test(f)) return f;
            long deadline = System.nanoTime() + millis * 1_000_000;
            while (System.nanoTime() < deadline) {
                JsonNode f = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (f == null) break;
                seen.add(f);
                if (match.test(f)) return f;
            }
            return null;
        }

        /** The database or a client's broadcast {event, payload} on topic with this event name. */
        JsonNode awaitBroadcast(String topic, String event) throws InterruptedException {
            return await(isBroadcast(topic, event), 10).path("payload");
        }

        @Override
        public void close() {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }

    static Predicate<JsonNode> isBroadcast(String topic, String event) {
        return f -> f.path("event").asText().equals("broadcast") && f.path("topic").asText().equals("realtime:" + topic)
                && f.path("payload").path("event").asText().equals(event);
    }

    static String token(Caller c) {
        return c == null ? gw.anonKey() : gw.userToken(id(c));
    }

    UUID roomWithMember() throws Exception {
        return db.roomWith(admin, "private", member);
    }

    static HttpResponse<String> postMessage(Caller c, UUID room, String content) throws IOException {
        String body = Json.MAPPER.writeValueAsString(Map.of("room_id", room, "content", content));
        return gw.send(gw.request("/rest/v1/messages").header("apikey", gw.anonKey())
                .header("Authorization", "Bearer " + token(c)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void membersJoinTheRoomTopicAndOutsidersAndAnonAreRefused() throws Exception {
        String topic = "room:" + roomWithMember();
        try (Client m = new Client(token(member)); Client o = new Client(token(outsider)); Client a = new Client(gw.anonKey())) {
            assertEquals("ok", m.join(topic).path("status").asText());
            JsonNode refused = o.join(topic);
            assertEquals("error", refused.path("status").asText());
            assertTrue(refused.path("response").path("reason").asText().startsWith("Unauthorized"), refused.toString());
            assertEquals("error", a.join(topic).path("status").asText());
            // user:<id> is its user's alone.
            assertEquals("ok", m.join("user:" + id(member)).path("status").asText());
            assertEquals("error", o.join("user:" + id(member)).path("status").asText());
        }
    }

    @Test
    void messagesPostedOverRestReachMembersSocketsAsTheyHappen() throws Exception {
        UUID room = roomWithMember();
        String topic = "room:" + room;
        try (Client a = new Client(token(admin)); Client m = new Client(token(member))) {
            assertEquals("ok", a.join(topic).path("status").asText());
            assertEquals("ok", m.join(topic).path("status").asText());
            assertEquals(201, postMessage(member, room, "over the wire").statusCode());
            JsonNode ev = a.awaitBroadcast(topic, "message_created").path("payload");
            assertEquals("over the wire", ev.path("record").path("content").asText());
            assertEquals(id(member).toString(), ev.path("record").path("user_id").asText());
            assertEquals("INSERT", ev.path("operation").asText());
            // A reaction and a read receipt follow on the same topic.
            String messageId = ev.path("record").path("id").asText();
            db.query(admin, "insert into message_reactions (message_id, emoji) values (?::uuid, '🎉')", messageId);
            assertEquals("🎉", m.awaitBroadcast(topic, "reaction_added").path("payload").path("record").path("emoji").asText());
            db.query(admin, "select mark_read(?)", room);
            assertEquals(messageId, m.awaitBroadcast(topic, "read_receipt").path("payload").path("record")
                    .path("last_read_message_id").asText());
        }
    }

    @Test
    void membersSeeEachOthersTypingAndAnOutsidersTypingReachesNobody() throws Exception {
        String topic = "room:" + roomWithMember();
        try (Client a = new Client(token(admin)); Client m = new Client(token(member)); Client o = new Client(token(outsider))) {
            assertEquals("ok", a.join(topic).path("status").asText());
            assertEquals("ok", m.join(topic).path("status").asText());
            assertEquals("error", o.join(topic).path("status").asText());
            // The outsider's typing event on a topic it could not join goes nowhere.
            o.send(topic, "broadcast", Map.of("type", "broadcast", "event", "typing", "payload", Map.of("user_id", "olga")));
            assertEquals("ok", m.broadcast(topic, "typing", Map.of("user_id", id(member).toString())).path("status").asText());
            JsonNode typing = a.awaitBroadcast(topic, "typing");
            assertEquals(id(member).toString(), typing.path("payload").path("user_id").asText());
            assertNull(a.poll(f -> isBroadcast(topic, "typing").test(f)
                    && f.path("payload").path("payload").path("user_id").asText().equals("olga"), 500));
        }
    }

    @Test
    void notificationsAndMembershipChangesArriveOnTheUsersOwnTopic() throws Exception {
        UUID room = roomWithMember();
        String mine = "user:" + id(member);
        try (Client m = new Client(token(member))) {
            assertEquals("ok", m.join(mine).path("status").asText());
            assertEquals(201, postMessage(admin, room, "ping @max").statusCode());
            JsonNode n = m.awaitBroadcast(mine, "notification_created").path("payload").path("record");
            assertEquals("mention", n.path("type").asText());
            assertEquals(room.toString(), n.path("room_id").asText());
            db.query(admin, "select kick_member(?, ?)", room, id(member));
            assertEquals(room.toString(), m.awaitBroadcast(mine, "membership_removed").path("payload")
                    .path("old_record").path("room_id").asText());
            // Kicked, the member can no longer join the room's topic.
            assertEquals("error", m.join("room:" + room).path("status").asText());
        }
    }

    // ---- removal closes the room's channel at once (V59: realtime.reauthorize from the membership triggers) ----

    static Predicate<JsonNode> on(String topic, String event) {
        return f -> f.path("topic").asText().equals("realtime:" + topic) && f.path("event").asText().equals(event);
    }

    static Predicate<JsonNode> posted(String topic, String content) {
        return f -> isBroadcast(topic, "message_created").test(f)
                && f.path("payload").path("payload").path("record").path("content").asText().equals(content);
    }

    /**
     * The member is removed by {@code removal} (run as {@code by}) while their room channel is open
     * and their user:<id> channel is not (no client cooperation): the room channel gets a system
     * message saying why and phx_close, and none of the room's messages posted afterwards, while the
     * admin keeps receiving them.
     */
    void removedMemberLosesTheRoomChannel(Caller by, String removal) throws Exception {
        UUID room = roomWithMember();
        String topic = "room:" + room;
        try (Client a = new Client(token(admin)); Client m = new Client(token(member))) {
            assertEquals("ok", a.join(topic).path("status").asText());
            assertEquals("ok", m.join(topic).path("status").asText());
            assertEquals(201, postMessage(admin, room, "before").statusCode());
            m.await(posted(topic, "before"), 10);

            db.query(by, removal, room);
            assertEquals(201, postMessage(admin, room, "after").statusCode()); // committed right after the removal

            JsonNode system = m.await(on(topic, "system"), 10).path("payload");
            assertEquals("error", system.path("status").asText());
            assertTrue(system.path("message").asText().startsWith(
                    "Unauthorized: You no longer have permissions to read from this Channel topic: " + topic), system.toString());
            m.await(on(topic, "phx_close"), 10);
            a.await(posted(topic, "after"), 10);
            assertEquals(201, postMessage(admin, room, "later").statusCode());
            a.await(posted(topic, "later"), 10);
            assertNull(m.poll(f -> posted(topic, "after").test(f) || posted(topic, "later").test(f), 500),
                    "the removed member received the room's messages after the removal");
            assertEquals("error", m.join(topic).path("status").asText());
        }
    }

    @Test
    void aKickedMembersRoomChannelIsClosedAtOnce() throws Exception {
        removedMemberLosesTheRoomChannel(admin, "select kick_member(?, '" + id(member) + "')");
    }

    @Test
    void aBannedMembersRoomChannelIsClosedAtOnce() throws Exception {
        removedMemberLosesTheRoomChannel(admin, "select ban_member(?, '" + id(member) + "', 'spam')");
    }

    @Test
    void aMemberWhoLeavesHasTheRoomChannelOfTheirOtherDevicesClosed() throws Exception {
        removedMemberLosesTheRoomChannel(member, "select leave_room(?)");
    }

    @Test
    void aBanWrittenDirectlyEndsTheMembershipAndTheRoomChannel() throws Exception {
        UUID room = roomWithMember();
        String topic = "room:" + room;
        try (Client a = new Client(token(admin)); Client m = new Client(token(member))) {
            assertEquals("ok", a.join(topic).path("status").asText());
            assertEquals("ok", m.join(topic).path("status").asText());
            gw.sql("insert into public.room_bans (room_id, user_id, reason) values ('" + room + "', '" + id(member) + "', 'by hand')");
            m.await(on(topic, "phx_close"), 10);
            JsonNode left = a.awaitBroadcast(topic, "member_left").path("payload");
            assertEquals(id(member).toString(), left.path("old_record").path("user_id").asText());
            assertEquals(0L, ((Number) db.value(admin, "select count(*) from room_members where room_id = ? and user_id = ?",
                    room, id(member))).longValue());
        }
    }
}
