package dev.parley.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.http.Json;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chat driven as a client drives it: users sign up at /auth/v1 (the profile hook names them),
 * then everything goes through /rest/v1 tables and /rest/v1/rpc functions with their tokens, as
 * an admin, a member and an outsider, plus anon.
 */
@Timeout(90)
class ChatRestTest {
    static TestGateway gw;
    static String admin;
    static String member;
    static String outsider;
    static ChatDb db;
    static String adminId;
    static String memberId;
    static String outsiderId;

    @BeforeAll
    static void start() throws IOException {
        gw = TestGateway.start();
        db = new ChatDb(gw);
        JsonNode a = signUp("ada@rest.example.com", Map.of("username", "ada", "full_name", "Ada L."));
        JsonNode m = signUp("max.power@rest.example.com", Map.of());
        JsonNode o = signUp("olga@rest.example.com", Map.of("username", "ada"));
        admin = a.path("access_token").asText();
        member = m.path("access_token").asText();
        outsider = o.path("access_token").asText();
        adminId = a.path("user").path("id").asText();
        memberId = m.path("user").path("id").asText();
        outsiderId = o.path("user").path("id").asText();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static JsonNode signUp(String email, Map<String, Object> data) throws IOException {
        String body = Json.MAPPER.writeValueAsString(Map.of("email", email, "password", "secret-password", "data", data));
        HttpResponse<String> r = gw.send(gw.request("/auth/v1/signup").header("apikey", gw.anonKey())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertEquals(200, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body());
    }

    static HttpResponse<String> call(String method, String path, String token, Object body, String... headers) {
        try {
            HttpRequest.Builder b = gw.request("/rest/v1" + path).header("apikey", gw.anonKey())
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)));
            if (token != null) b.header("Authorization", "Bearer " + token);
            if (body != null) b.header("Content-Type", "application/json");
            for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
            return gw.send(b.build());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Calls a chat function as the token's user. /rest/v1/rpc is not on main yet, so until it is the
     * call runs through RequestTransactions (the same role, claims and transaction a request gets);
     * docs/chat.md shows the rpc form. Reads and table writes below go through /rest/v1.
     */
    static Map<String, Object> fn(String token, String sql, Object... params) throws Exception {
        List<Map<String, Object>> rows = db.query(gw.gateway().context().jwt().verify(token), sql, params);
        return rows.isEmpty() ? Map.of() : rows.get(0);
    }

    static JsonNode get(String path, String token) {
        HttpResponse<String> r = call("GET", path, token, null);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return json(r);
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    String privateRoomWithMember(String name) throws Exception {
        String room = fn(admin, "select id::text from create_room(?, null, 'private')", name).get("id").toString();
        fn(admin, "select invite_member(?::uuid, ?::uuid)", room, memberId);
        return room;
    }

    String post(String token, String room, String content) {
        HttpResponse<String> r = call("POST", "/messages", token, Map.of("room_id", room, "content", content),
                "Prefer", "return=representation");
        assertEquals(201, r.statusCode(), r.body());
        return json(r).get(0).path("id").asText();
    }

    @Test
    void signUpCreatesProfilesReadableBySignedInUsersAndWritableByTheirOwner() {
        JsonNode ada = get("/user_profiles?id=eq." + adminId, member).get(0);
        assertEquals("ada", ada.path("username").asText());
        assertEquals("Ada L.", ada.path("display_name").asText());
        assertEquals("max_power", get("/user_profiles?id=eq." + memberId, admin).get(0).path("username").asText());
        assertEquals("ada2", get("/user_profiles?id=eq." + outsiderId, admin).get(0).path("username").asText());
        assertEquals(401, call("GET", "/user_profiles", null, null).statusCode());
        HttpResponse<String> mine = call("PATCH", "/user_profiles?id=eq." + memberId, member,
                Map.of("status", "online", "status_message", "here"), "Prefer", "return=representation");
        assertEquals(200, mine.statusCode(), mine.body());
        assertEquals("online", json(mine).get(0).path("status").asText());
        HttpResponse<String> theirs = call("PATCH", "/user_profiles?id=eq." + adminId, member,
                Map.of("status", "busy"), "Prefer", "return=representation");
        assertEquals(0, json(theirs).size(), theirs.body());
        assertEquals("offline", get("/user_profiles?id=eq." + adminId, admin).get(0).path("status").asText());
        assertEquals(409, call("PATCH", "/user_profiles?id=eq." + memberId, member, Map.of("username", "ADA")).statusCode());
        assertEquals(400, call("PATCH", "/user_profiles?id=eq." + memberId, member, Map.of("username", "no spaces")).statusCode());
        assertEquals(400, call("PATCH", "/user_profiles?id=eq." + memberId, member, Map.of("status", "asleep")).statusCode());
    }

    @Test
    void anOutsiderNeitherReadsNorWritesAPrivateRoom() throws Exception {
        String room = privateRoomWithMember("rest-private");
        post(member, room, "members only");
        assertEquals(0, get("/messages?room_id=eq." + room, outsider).size());
        assertEquals(0, get("/rooms?id=eq." + room, outsider).size());
        assertEquals(0, get("/room_members?room_id=eq." + room, outsider).size());
        assertEquals(1, get("/messages?room_id=eq." + room, member).size());
        HttpResponse<String> r = call("POST", "/messages", outsider, Map.of("room_id", room, "content", "let me in"));
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("42501", json(r).path("code").asText());
        assertEquals(401, call("GET", "/messages", null, null).statusCode());
        assertEquals(401, call("POST", "/messages", null, Map.of("room_id", room, "content", "anon")).statusCode());
    }

    @Test
    void authorsEditAndDeleteTheirOwnModeratorsAnyMembersNoneOfOthers() throws Exception {
        String room = privateRoomWithMember("rest-edits");
        String adminsMessage = post(admin, room, "admin speaking");
        String membersMessage = post(member, room, "typo hre");
        // Editing another's message: no row is visible to the update, nothing changes.
        HttpResponse<String> r = call("PATCH", "/messages?id=eq." + adminsMessage, member, Map.of("content", "hacked"),
                "Prefer", "return=representation");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(0, json(r).size());
        r = call("PATCH", "/messages?id=eq." + membersMessage, member, Map.of("content", "typo here", "edited", true),
                "Prefer", "return=representation");
        assertEquals("typo here", json(r).get(0).path("content").asText());
        assertTrue(json(r).get(0).path("edited").asBoolean());
        // A member deleting another's message: nothing happens.
        call("DELETE", "/messages?id=eq." + adminsMessage, member, null);
        assertEquals("admin speaking", get("/messages?id=eq." + adminsMessage, admin).get(0).path("content").asText());
        // The author deletes theirs (soft), the admin deletes anyone's.
        call("DELETE", "/messages?id=eq." + membersMessage, member, null);
        JsonNode gone = get("/messages?id=eq." + membersMessage, admin).get(0);
        assertEquals("", gone.path("content").asText());
        assertTrue(!gone.path("deleted_at").isNull());
        String another = post(member, room, "spam");
        call("DELETE", "/messages?id=eq." + another, admin, null);
        assertTrue(!get("/messages?id=eq." + another, member).get(0).path("deleted_at").isNull());
    }

    @Test
    void aDirectRoomIsClosedToAThirdPartyAndNotifiesTheOtherMember() throws Exception {
        String room = fn(admin, "select id::text from open_direct(?::uuid)", memberId).get("id").toString();
        assertEquals(room, fn(member, "select id::text from open_direct(?::uuid)", adminId).get("id").toString());
        assertEquals(0, get("/rooms?id=eq." + room, outsider).size());
        assertEquals(2, get("/room_members?room_id=eq." + room, member).size());
        HttpResponse<String> r = call("POST", "/messages", outsider, Map.of("room_id", room, "content", "hi both"));
        assertEquals(403, r.statusCode(), r.body());
        String m = post(admin, room, "just us");
        assertEquals("direct_message", get("/notifications?message_id=eq." + m, member).get(0).path("type").asText());
        assertEquals(0, get("/notifications?message_id=eq." + m, outsider).size());
    }

    @Test
    void aBannedUserCannotPostAndMembershipCannotBeWrittenThroughTables() throws Exception {
        String room = fn(admin, "select id::text from create_room('rest-public')").get("id").toString();
        fn(outsider, "select join_room(?::uuid)", room);
        post(outsider, room, "first!");
        fn(admin, "select ban_member(?::uuid, ?::uuid, 'spam')", room, outsiderId);
        HttpResponse<String> r = call("POST", "/messages", outsider, Map.of("room_id", room, "content", "again"));
        assertEquals(403, r.statusCode(), r.body());
        r = call("POST", "/room_members", outsider, Map.of("room_id", room, "user_id", outsiderId));
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("42501", json(r).path("code").asText());
        assertEquals(1, get("/room_bans?room_id=eq." + room, outsider).size());
        assertEquals(0, get("/room_bans?room_id=eq." + room, member).size());
    }

    @Test
    void historyUnreadReceiptsAndNotificationsOverRest() throws Exception {
        String room = privateRoomWithMember("rest-history");
        for (int i = 1; i <= 7; i++) post(admin, room, "deploy note " + i);
        post(admin, room, "hey @max_power, look");
        // Newest first, 5 per page, the next page keyed by the last row's (created_at, id).
        JsonNode page1 = get("/messages?select=id,content,created_at&room_id=eq." + room
                + "&order=created_at.desc,id.desc&limit=5", member);
        assertEquals(5, page1.size());
        JsonNode last = page1.get(4);
        String at = last.path("created_at").asText();
        JsonNode page2 = get("/messages?select=id,content&room_id=eq." + room + "&order=created_at.desc,id.desc&limit=5"
                + "&or=" + enc("(created_at.lt." + at + ",and(created_at.eq." + at + ",id.lt." + last.path("id").asText() + "))"), member);
        assertEquals(3, page2.size(), page2.toString());
        assertEquals("deploy note 1", page2.get(2).path("content").asText());
        assertEquals(8, get("/unread_counts?room_id=eq." + room, member).get(0).path("unread_count").asInt());
        fn(member, "select mark_read(?::uuid, ?::uuid)", room, page2.get(0).path("id").asText());
        assertEquals(page2.get(0).path("id").asText(),
                get("/read_receipts?room_id=eq." + room, admin).get(0).path("last_read_message_id").asText());
        assertEquals(5, get("/unread_counts?room_id=eq." + room, member).get(0).path("unread_count").asInt());
        JsonNode mention = get("/notifications?type=eq.mention&room_id=eq." + room, member);
        assertEquals(1, mention.size());
        assertEquals(0, get("/notifications?room_id=eq." + room, outsider).size());
        JsonNode latest = get("/rooms_with_latest_message?id=eq." + room, member).get(0);
        assertEquals("hey @max_power, look", latest.path("latest_message").asText());
        assertEquals("Ada L.", latest.path("latest_message_author").asText());
        HttpResponse<String> react = call("POST", "/message_reactions", outsider,
                Map.of("message_id", latest.path("latest_message_id").asText(), "emoji", "👀"));
        assertEquals(403, react.statusCode(), react.body());
        react = call("POST", "/message_reactions", member,
                Map.of("message_id", latest.path("latest_message_id").asText(), "emoji", "👀"));
        assertEquals(201, react.statusCode(), react.body());
        assertEquals(1, get("/messages?select=id,message_reactions(emoji)&id=eq." + latest.path("latest_message_id").asText(), admin)
                .get(0).path("message_reactions").size());
    }
}
