package dev.parley.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.auth.Caller;
import dev.parley.http.Json;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import static dev.parley.chat.ChatDb.id;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The chat's buckets through /storage/v1: avatars (public images, each user writes their own
 * folder) and attachments (private; objects under <room_id>/ for that room's members).
 */
@Timeout(60)
class ChatStorageTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final ChatDb db = new ChatDb(gw);
    static Caller admin;
    static Caller member;
    static Caller outsider;
    static UUID room;

    @BeforeAll
    static void start() throws Exception {
        admin = db.newUser("ada@files.example.com");
        member = db.newUser("max@files.example.com");
        outsider = db.newUser("olga@files.example.com");
        room = (UUID) db.value(admin, "select id from create_room('files', null, 'private')");
        db.query(admin, "select invite_member(?, ?)", room, id(member));
    }

    static String token(Caller c) {
        return c == null ? gw.anonKey() : gw.userToken(id(c));
    }

    static HttpResponse<String> upload(Caller c, String path, String type, byte[] body) {
        return gw.send(gw.request("/storage/v1/object/" + path).header("Authorization", "Bearer " + token(c))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    static HttpResponse<String> download(Caller c, String path) {
        return gw.send(gw.request("/storage/v1/object/authenticated/" + path)
                .header("Authorization", "Bearer " + token(c)).GET().build());
    }

    static HttpResponse<String> remove(Caller c, String path) {
        return gw.send(gw.request("/storage/v1/object/" + path).header("Authorization", "Bearer " + token(c))
                .DELETE().build());
    }

    static byte[] png(int size) {
        byte[] b = new byte[size];
        byte[] magic = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};
        System.arraycopy(magic, 0, b, 0, magic.length);
        return b;
    }

    @Test
    void theBucketsExistWithTheirLimits() throws Exception {
        JsonNode avatars = Json.MAPPER.readTree(gw.send(gw.request("/storage/v1/bucket/avatars")
                .header("Authorization", "Bearer " + gw.serviceKey()).GET().build()).body());
        assertEquals(true, avatars.path("public").asBoolean());
        assertEquals(1048576, avatars.path("file_size_limit").asLong());
        JsonNode attachments = Json.MAPPER.readTree(gw.send(gw.request("/storage/v1/bucket/attachments")
                .header("Authorization", "Bearer " + gw.serviceKey()).GET().build()).body());
        assertEquals(false, attachments.path("public").asBoolean());
    }

    @Test
    void usersUploadTheirOwnAvatarImagesWhichAnyoneCanFetch() {
        String mine = "avatars/" + id(member) + "/me.png";
        assertEquals(200, upload(member, mine, "image/png", png(100)).statusCode());
        assertEquals(403, upload(member, "avatars/" + id(admin) + "/me.png", "image/png", png(100)).statusCode());
        assertEquals(403, upload(null, "avatars/anon/me.png", "image/png", png(100)).statusCode());
        assertEquals(415, upload(member, "avatars/" + id(member) + "/page.html", "text/html", "<script>".getBytes()).statusCode());
        assertEquals(415, upload(member, "avatars/" + id(member) + "/x.svg", "image/svg+xml", "<svg/>".getBytes()).statusCode());
        assertEquals(413, upload(member, "avatars/" + id(member) + "/big.png", "image/png", png(1048577)).statusCode());
        HttpResponse<String> pub = gw.send(gw.request("/storage/v1/object/public/" + mine).GET().build());
        assertEquals(200, pub.statusCode());
        // Nobody else replaces or removes it (a hidden object answers 404).
        assertEquals(404, remove(admin, mine).statusCode());
        assertEquals(200, gw.send(gw.request("/storage/v1/object/public/" + mine).GET().build()).statusCode());
    }

    @Test
    void attachmentsAreForTheMembersOfTheRoomNamedByTheirFirstFolder() {
        String doc = "attachments/" + room + "/plan.pdf";
        assertEquals(200, upload(member, doc, "application/pdf", "%PDF-1.4".getBytes()).statusCode());
        assertEquals(200, download(admin, doc).statusCode());
        assertEquals(200, download(member, doc).statusCode());
        assertEquals(404, download(outsider, doc).statusCode());
        assertEquals(404, download(null, doc).statusCode());
        assertEquals(403, upload(outsider, "attachments/" + room + "/intruder.pdf", "application/pdf", "%PDF".getBytes()).statusCode());
        assertEquals(403, upload(member, "attachments/not-a-room/x.pdf", "application/pdf", "%PDF".getBytes()).statusCode());
        assertEquals(403, upload(member, "attachments/loose.pdf", "application/pdf", "%PDF".getBytes()).statusCode());
        assertEquals(415, upload(member, "attachments/" + room + "/page.html", "text/html", "<script>".getBytes()).statusCode());
    }

    @Test
    void theUploaderOrAModeratorRemovesAnAttachmentNobodyElse() throws Exception {
        String a = "attachments/" + room + "/a.txt";
        String b = "attachments/" + room + "/b.txt";
        assertEquals(200, upload(member, a, "text/plain", "a".getBytes()).statusCode());
        assertEquals(200, upload(admin, b, "text/plain", "b".getBytes()).statusCode());
        assertEquals(404, remove(member, b).statusCode());
        assertEquals(404, remove(outsider, a).statusCode());
        assertEquals(200, download(admin, b).statusCode());
        assertEquals(200, download(member, a).statusCode());
        assertEquals(200, remove(member, a).statusCode());
        assertEquals(404, download(member, a).statusCode());
        assertEquals(200, upload(member, a, "text/plain", "again".getBytes()).statusCode());
        assertEquals(200, remove(admin, a).statusCode());
        assertEquals(404, download(admin, a).statusCode());
    }
}
