package dev.parley.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.auth.Caller;
import dev.parley.http.Json;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static dev.parley.chat.ChatDb.id;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The original chat's history read, unchanged, through /rest/v1: messages with their author's
 * profile and their reactions, for a member, and nothing of the room for an outsider.
 */
@Timeout(60)
class ChatRestReadTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final ChatDb db = new ChatDb(gw);
    static Caller alice;
    static Caller bob;
    static Caller outsider;
    static UUID room;

    @BeforeAll
    static void start() throws Exception {
        alice = db.newUser("alice@read.example.com");
        bob = db.newUser("bob@read.example.com");
        outsider = db.newUser("olga@read.example.com");
        room = (UUID) db.one(alice, "select id from create_room('team', null, 'private')").get("id");
        db.query(alice, "select invite_member(?, ?)", room, id(bob));
        UUID first = (UUID) db.one(alice, "insert into messages (room_id, content) values (?, 'hello') returning id", room).get("id");
        db.query(bob, "insert into messages (room_id, content) values (?, 'hi alice')", room);
        db.query(bob, "insert into message_reactions (message_id, emoji) values (?, '👍')", first);
    }

    private HttpResponse<String> history(Caller caller) {
        String select = URLEncoder.encode("*, user:user_profiles(*), reactions:message_reactions(*)", StandardCharsets.UTF_8);
        return gw.get("/rest/v1/messages?select=" + select + "&room_id=eq." + room + "&order=created_at&limit=100",
                gw.userToken(id(caller)));
    }

    @Test
    void aMemberReadsHistoryWithAuthorsAndReactions() throws Exception {
        HttpResponse<String> r = history(bob);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode rows = Json.MAPPER.readTree(r.body());
        assertEquals(2, rows.size(), r.body());
        assertEquals("hello", rows.get(0).get("content").asText());
        assertEquals(id(alice).toString(), rows.get(0).get("user").get("id").asText());
        assertEquals("alice", rows.get(0).get("user").get("username").asText().substring(0, 5));
        assertEquals("👍", rows.get(0).get("reactions").get(0).get("emoji").asText());
        assertEquals(0, rows.get(1).get("reactions").size());
        assertEquals(id(bob).toString(), rows.get(1).get("user").get("id").asText());
    }

    @Test
    void anOutsiderSeesNoMessageOfAPrivateRoom() throws Exception {
        HttpResponse<String> r = history(outsider);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(0, Json.MAPPER.readTree(r.body()).size());
    }
}
