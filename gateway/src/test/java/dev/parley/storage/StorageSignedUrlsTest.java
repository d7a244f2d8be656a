package dev.parley.storage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import dev.parley.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.UUID;

import static dev.parley.storage.StorageCalls.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signed download and upload URLs: one object, one action, until expiry; no other credential needed. */
@Timeout(60)
class StorageSignedUrlsTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final StorageCalls s = new StorageCalls(gw);
    static UUID alice;
    static String aliceToken;
    static String bobToken;

    @BeforeAll
    static void start() {
        s.createBucket("files", false, null);
        gw.sql("""
                create policy "own folder insert" on storage.objects for insert to authenticated
                  with check (bucket_id = 'files' and (storage.foldername(name))[1] = auth.uid()::text);
                create policy "own objects select" on storage.objects for select to authenticated
                  using (bucket_id = 'files' and owner = auth.uid());
                """);
        alice = gw.createUser("alice@example.com");
        aliceToken = gw.userToken(alice);
        bobToken = gw.userToken(gw.createUser("bob@example.com"));
        s.upload("files", alice + "/photo.txt", aliceToken, "alice's photo");
        s.upload("files", alice + "/other.txt", aliceToken, "other");
    }

    @Test
    void aSignedUrlServesTheObjectToAnyoneUntilItExpires() throws Exception {
        var signed = s.postJson("/object/sign/files/" + alice + "/photo.txt", aliceToken, "{\"expiresIn\":2}");
        assertEquals(200, signed.statusCode(), signed.body());
        String url = json(signed).get("signedURL").asText();
        assertTrue(url.startsWith("/object/sign/files/" + alice + "/photo.txt?token="), url);

        var r = s.send(gw.request("/storage/v1" + url).GET());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("alice's photo", r.body());
        assertTrue(r.headers().firstValue("Expires").isPresent());
        var ranged = s.send(gw.request("/storage/v1" + url).header("Range", "bytes=0-4").GET());
        assertEquals(206, ranged.statusCode());
        assertEquals("alice", ranged.body());

        Thread.sleep(3100);
        var expired = s.send(gw.request("/storage/v1" + url).GET());
        assertEquals(400, expired.statusCode());
        assertEquals("ExpiredToken", json(expired).get("error").asText());
    }

    @Test
    void aTokenIsGoodForItsOwnObjectAndActionOnly() {
        String url = json(s.postJson("/object/sign/files/" + alice + "/photo.txt", aliceToken, "{\"expiresIn\":60}"))
                .get("signedURL").asText();
        String token = url.substring(url.indexOf("token=") + 6);
        var other = s.get("/object/sign/files/" + alice + "/other.txt?token=" + token, null);
        assertEquals(400, other.statusCode());
        assertEquals("InvalidSignature", json(other).get("error").asText());
        var forged = s.get("/object/sign/files/" + alice + "/photo.txt?token=" + token.substring(0, token.length() - 3) + "abc", null);
        assertEquals(400, forged.statusCode());
        var none = s.get("/object/sign/files/" + alice + "/photo.txt", null);
        assertEquals(400, none.statusCode());
        var asUpload = s.send(s.req("/object/upload/sign/files/" + alice + "/photo.txt?token=" + token, null)
                .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("overwritten")));
        assertEquals(400, asUpload.statusCode());
        // a user access token is no signed URL token either
        assertEquals(400, s.get("/object/sign/files/" + alice + "/photo.txt?token=" + aliceToken, null).statusCode());
        assertEquals("alice's photo", s.get("/object/files/" + alice + "/photo.txt", aliceToken).body());
    }

    @Test
    void signingNeedsReadAccessAndBulkSigningReportsEachPath() {
        assertEquals(404, s.postJson("/object/sign/files/" + alice + "/photo.txt", bobToken, "{\"expiresIn\":60}").statusCode());
        assertEquals(400, s.postJson("/object/sign/files/" + alice + "/photo.txt", aliceToken, "{\"expiresIn\":0}").statusCode());
        assertEquals(400, s.postJson("/object/sign/files/" + alice + "/photo.txt", aliceToken,
                "{\"expiresIn\":9223372036854775807}").statusCode());
        assertEquals(400, s.postJson("/object/sign/files/" + alice + "/photo.txt", aliceToken, "{\"expiresIn\":\"60\"}").statusCode());
        JsonNode many = json(s.postJson("/object/sign/files", aliceToken,
                "{\"expiresIn\":60,\"paths\":[\"" + alice + "/photo.txt\",\"" + alice + "/missing.txt\"]}"));
        assertEquals(2, many.size());
        assertTrue(many.get(0).get("error").isNull());
        assertTrue(many.get(0).get("signedURL").asText().startsWith("/object/sign/files/"));
        assertEquals(alice + "/missing.txt", many.get(1).get("path").asText());
        assertTrue(many.get(1).get("signedURL").isNull());
        assertEquals("Either the object does not exist or you do not have access to it", many.get(1).get("error").asText());
        String url = many.get(0).get("signedURL").asText();
        assertEquals("alice's photo", s.send(gw.request("/storage/v1" + url).GET()).body());
    }

    @Test
    void aSignedUploadUrlLetsAnyoneUploadThatOneObjectAsTheSigner() throws Exception {
        var made = s.postJson("/object/upload/sign/files/" + alice + "/dropbox.txt", aliceToken, "{}");
        assertEquals(200, made.statusCode(), made.body());
        String url = json(made).get("url").asText();
        String token = json(made).get("token").asText();
        assertTrue(url.startsWith("/object/upload/sign/files/" + alice + "/dropbox.txt?token="), url);

        var up = s.send(s.req(url, null).header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("dropped")));
        assertEquals(200, up.statusCode(), up.body());
        assertEquals("files/" + alice + "/dropbox.txt", json(up).get("Key").asText());
        assertEquals("dropped", s.get("/object/files/" + alice + "/dropbox.txt", aliceToken).body());
        try (Connection c = TestPostgres.connect(gw.database());
             ResultSet rs = c.createStatement().executeQuery("select owner::text from storage.objects where name = '" + alice + "/dropbox.txt'")) {
            rs.next();
            assertEquals(alice.toString(), rs.getString(1));
        }

        // without upsert in the token, a second use cannot overwrite
        var again = s.send(s.req(url, null).header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("again")));
        assertEquals(409, again.statusCode());
        // the token is for that path only
        var elsewhere = s.send(s.req("/object/upload/sign/files/" + alice + "/elsewhere.txt?token=" + token, null)
                .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("x")));
        assertEquals(400, elsewhere.statusCode());
        assertNotEquals(200, s.get("/object/files/" + alice + "/elsewhere.txt", aliceToken).statusCode());
    }

    @Test
    void aSignedUploadUrlIsRefusedWhereTheSignerCouldNotUpload() {
        var r = s.postJson("/object/upload/sign/files/" + alice + "/from-bob.txt", bobToken, "{}");
        assertEquals(403, r.statusCode(), r.body());
        assertEquals(400, s.postJson("/object/upload/sign/files/../x.txt", aliceToken, "{}").statusCode());
        assertEquals(404, s.postJson("/object/upload/sign/nobucket/x.txt", aliceToken, "{}").statusCode());
    }
}
