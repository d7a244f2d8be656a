package dev.parley.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.http.Json;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static String admin;
    static String member;
    static String outsider;
    static String adminId;
    static String memberId;
    static String outsiderId;

    @BeforeAll
    static void start() throws IOException {
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

    /** Calls a function at /rest/v1/rpc as the token's user; asserts it succeeded. */
    static JsonNode rpc(String fn, String token, Object... args) {
        HttpResponse<String> r = call("POST", "/rpc/" + fn, token, args(args));
        assertTrue(r.statusCode() == 200 || r.statusCode() == 204, fn + ": " + r.statusCode() + " " + r.body());
        return r.body().isEmpty() ? null : json(r);
    }

    /** Asserts an rpc call is refused with this status and SQLSTATE; returns the message. */
    static String rpcRefused(int status, String code, String fn, String token, Object... args) {
        HttpResponse<String> r = call("POST", "/rpc/" + fn, token, args(args));
        assertEquals(status, r.statusCode(), fn + ": " + r.body());
        assertEquals(code, json(r).path("code").asText(), r.body());
        return json(r).path("message").asText();
    }

    static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
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

    String privateRoomWithMember(String name) {
        String room = rpc("create_room", admin, "name", name, "type", "private").path("id").asText();
        assertEquals("member", rpc("invite_member", admin, "room_id", room, "user_id", memberId).path("role").asText());
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
        rpcRefused(404, "PT404", "join_room", outsider, "room_id", room);
        rpcRefused(404, "PT404", "mark_read", outsider, "room_id", room);
        assertEquals(401, call("GET", "/messages", null, null).statusCode());
        assertEquals(401, call("POST", "/messages", null, Map.of("room_id", room, "content", "anon")).statusCode());
        assertEquals(401, call("POST", "/rpc/create_room", null, args("name", "anon room")).statusCode());
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
    void membershipFunctionsOverRpcWithTheirRefusals() {
        String room = rpc("create_room", admin, "name", "rest-lobby", "description", "all welcome").path("id").asText();
        assertEquals("public", get("/rooms?id=eq." + room, outsider).get(0).path("type").asText());
        assertEquals("member", rpc("join_room", member, "room_id", room).path("role").asText());
        rpc("join_room", outsider, "room_id", room);
        assertTrue(rpcRefused(403, "42501", "kick_member", member, "room_id", room, "user_id", outsiderId)
                .contains("only admins and moderators"));
        rpcRefused(403, "42501", "set_member_role", member, "room_id", room, "user_id", memberId, "role", "admin");
        assertEquals("moderator", rpc("set_member_role", admin, "room_id", room, "user_id", memberId, "role", "moderator")
                .path("role").asText());
        assertEquals("spam", rpc("ban_member", member, "room_id", room, "user_id", outsiderId, "reason", "spam")
                .path("reason").asText());
        assertTrue(rpcRefused(403, "42501", "join_room", outsider, "room_id", room).contains("banned"));
        rpcRefused(403, "42501", "ban_member", member, "room_id", room, "user_id", adminId);
        rpc("unban_member", member, "room_id", room, "user_id", outsiderId);
        rpc("join_room", outsider, "room_id", room);
        rpc("kick_member", member, "room_id", room, "user_id", outsiderId);
        assertEquals(2, get("/room_members?room_id=eq." + room, admin).size());
        assertTrue(rpcRefused(409, "PT409", "leave_room", admin, "room_id", room).contains("last admin"));
        rpcRefused(400, "22023", "set_member_role", admin, "room_id", room, "user_id", memberId, "role", "owner");
        rpcRefused(400, "22023", "create_room", admin, "name", "x", "type", "direct");
        rpcRefused(404, "PT404", "invite_member", admin, "room_id", room, "user_id", "00000000-0000-0000-0000-000000000000");
        rpc("set_member_role", admin, "room_id", room, "user_id", memberId, "role", "admin");
        rpc("leave_room", admin, "room_id", room);
        assertEquals(1, get("/room_members?room_id=eq." + room, member).size());
        assertEquals(0, get("/room_members?room_id=eq." + room, admin).size());
    }

    @Test
    void aDirectRoomIsClosedToAThirdPartyAndNotifiesTheOtherMember() throws Exception {
        JsonNode dm = rpc("open_direct", admin, "other_user", memberId);
        assertEquals("direct", dm.path("type").asText());
        String room = dm.path("id").asText();
        assertEquals(room, rpc("open_direct", member, "other_user", adminId).path("id").asText());
        rpcRefused(404, "PT404", "join_room", outsider, "room_id", room);
        rpcRefused(409, "PT409", "invite_member", admin, "room_id", room, "user_id", outsiderId);
        rpcRefused(409, "PT409", "leave_room", member, "room_id", room);
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
        String room = rpc("create_room", admin, "name", "rest-public").path("id").asText();
        rpc("join_room", outsider, "room_id", room);
        post(outsider, room, "first!");
        rpc("ban_member", admin, "room_id", room, "user_id", outsiderId, "reason", "spam");
        assertTrue(rpcRefused(403, "42501", "join_room", outsider, "room_id", room).contains("banned"));
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
        JsonNode receipt = rpc("mark_read", member, "room_id", room, "message_id", page2.get(0).path("id").asText());
        assertEquals(page2.get(0).path("id").asText(), receipt.path("last_read_message_id").asText());
        assertEquals(page2.get(0).path("id").asText(),
                get("/read_receipts?room_id=eq." + room, admin).get(0).path("last_read_message_id").asText());
        assertEquals(5, get("/unread_counts?room_id=eq." + room, member).get(0).path("unread_count").asInt());
        JsonNode hits = rpc("search_messages", member, "query", "deploy", "room_id", room);
        assertEquals(7, hits.size());
        assertTrue(hits.get(0).path("snippet").asText().contains("<mark>deploy</mark>"), hits.toString());
        assertEquals(0, rpc("search_messages", outsider, "query", "deploy").size());
        assertEquals(3, get("/rpc/search_messages?query=deploy&max_results=3", member).size());
        rpcRefused(404, "PT404", "search_messages", outsider, "query", "deploy", "room_id", room);
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
