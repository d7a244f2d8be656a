package dev.parley.storage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import dev.parley.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.stream.Stream;

import static dev.parley.storage.StorageCalls.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Access decided by RLS policies on storage.objects, written as in Supabase's docs: each user
 * writes only under a folder named by their uid and reads only what they own.
 */
@Timeout(60)
class StoragePoliciesTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final StorageCalls s = new StorageCalls(gw);
    static UUID alice;
    static UUID bob;
    static String aliceToken;
    static String bobToken;

    @BeforeAll
    static void start() {
        s.createBucket("private", false, "\"allowed_mime_types\":[\"text/*\"],\"file_size_limit\":100");
        s.createBucket("pub", true, null);
        gw.sql("""
                create policy "own folder insert" on storage.objects for insert to authenticated
                  with check (bucket_id = 'private' and (storage.foldername(name))[1] = auth.uid()::text);
                create policy "own objects select" on storage.objects for select to authenticated
                  using (bucket_id = 'private' and owner = auth.uid());
                create policy "own objects update" on storage.objects for update to authenticated
                  using (bucket_id = 'private' and owner = auth.uid())
                  with check ((storage.foldername(name))[1] = auth.uid()::text);
                create policy "own objects delete" on storage.objects for delete to authenticated
                  using (bucket_id = 'private' and owner = auth.uid());
                """);
        alice = gw.createUser("alice@example.com");
        bob = gw.createUser("bob@example.com");
        aliceToken = gw.userToken(alice);
        bobToken = gw.userToken(bob);
    }

    @Test
    void usersWriteOnlyUnderTheirOwnFolderAndOwnWhatTheyUpload() throws SQLException {
        var mine = s.upload("private", alice + "/notes.txt", aliceToken, "alice's notes");
        assertEquals(200, mine.statusCode(), mine.body());
        assertEquals(alice.toString(), scalar("select owner::text from storage.objects where name = '" + alice + "/notes.txt'"));

        var theirs = s.upload("private", bob + "/planted.txt", aliceToken, "x");
        assertEquals(403, theirs.statusCode(), theirs.body());
        assertEquals("new row violates row-level security policy", json(theirs).get("message").asText());
        var anon = s.upload("private", "anon.txt", gw.anonKey(), "x");
        assertEquals(403, anon.statusCode());
    }

    @Test
    void aUserCannotReadListSignMoveOrDeleteAnothersPrivateObject() {
        assertEquals(200, s.upload("private", alice + "/secret.txt", aliceToken, "top secret").statusCode());
        assertEquals("top secret", s.get("/object/private/" + alice + "/secret.txt", aliceToken).body());
        assertEquals("top secret", s.get("/object/authenticated/private/" + alice + "/secret.txt", aliceToken).body());

        for (String path : new String[] {"/object/private/", "/object/authenticated/private/", "/object/info/private/"}) {
            var r = s.get(path + alice + "/secret.txt", bobToken);
            assertEquals(404, r.statusCode(), path);
            assertEquals("Object not found", json(r).get("message").asText());
        }
        assertEquals(404, s.get("/object/private/" + alice + "/secret.txt", gw.anonKey()).statusCode());
        assertEquals(404, s.get("/object/public/private/" + alice + "/secret.txt", gw.anonKey()).statusCode());
        assertEquals("[]", s.postJson("/object/list/private", bobToken, "{\"prefix\":\"" + alice + "\"}").body());
        assertEquals(404, s.postJson("/object/sign/private/" + alice + "/secret.txt", bobToken, "{\"expiresIn\":60}").statusCode());
        assertEquals(404, s.deleteJson("/object/private/" + alice + "/secret.txt", bobToken, null).statusCode());
        assertEquals("[]", s.deleteJson("/object/private", bobToken, "{\"prefixes\":[\"" + alice + "/secret.txt\"]}").body());
        assertEquals(404, s.postJson("/object/move", bobToken, "{\"bucketId\":\"private\",\"sourceKey\":\"" + alice
                + "/secret.txt\",\"destinationKey\":\"" + bob + "/stolen.txt\"}").statusCode());
        assertEquals(404, s.postJson("/object/copy", bobToken, "{\"bucketId\":\"private\",\"sourceKey\":\"" + alice
                + "/secret.txt\",\"destinationKey\":\"" + bob + "/stolen.txt\"}").statusCode());

        assertEquals("top secret", s.get("/object/private/" + alice + "/secret.txt", aliceToken).body());
        JsonNode listed = json(s.postJson("/object/list/private", aliceToken, "{\"prefix\":\"" + alice + "\"}"));
        assertTrue(listed.findValuesAsText("name").contains("secret.txt"));
    }

    @Test
    void publicBucketsServeAnyoneWithoutPoliciesButWritesStillNeedThem() {
        assertEquals(200, s.upload("pub", "logo.txt", gw.serviceKey(), "public logo").statusCode());
        assertEquals("public logo", s.get("/object/public/pub/logo.txt", null).body());
        assertEquals("public logo", s.get("/object/public/pub/logo.txt", gw.anonKey()).body());
        assertEquals("public logo", s.get("/object/pub/logo.txt", bobToken).body());
        assertEquals(200, s.get("/object/info/public/pub/logo.txt", null).statusCode());
        assertEquals("public logo", s.get("/object/public/pub/logo.txt", "an.expired.or.stale-token").body());
        assertEquals(403, s.upload("pub", "graffiti.txt", gw.anonKey(), "x").statusCode());
        assertEquals(404, s.deleteJson("/object/pub/logo.txt", bobToken, null).statusCode());
        assertEquals("public logo", s.get("/object/public/pub/logo.txt", null).body());
    }

    @Test
    void aRefusedOverwriteLeavesThePreviousObjectIntact() throws Exception {
        String name = alice + "/keep.txt";
        assertEquals(200, s.upload("private", name, aliceToken, "original").statusCode());
        String before = scalar("select version || ' ' || (metadata->>'eTag') from storage.objects where name = '" + name + "'");
        long files = storedFiles();

        // another user upserting over it: refused by RLS before any byte is stored
        var bobs = s.upload("POST", "private", name, bobToken, "hijacked".getBytes(), "text/plain", true);
        assertEquals(403, bobs.statusCode(), bobs.body());
        // the owner, but too big for the bucket (413) or of a refused type (415)
        var big = s.upload("POST", "private", name, aliceToken, new byte[101], "text/plain", true);
        assertEquals(413, big.statusCode());
        var pdf = s.upload("POST", "private", name, aliceToken, "x".getBytes(), "application/pdf", true);
        assertEquals(415, pdf.statusCode());
        // the owner again, with a form whose file turns out too big while streaming
        var form = s.uploadForm("private", name, aliceToken, new byte[500], "text/plain", "60", null, true);
        assertEquals(413, form.statusCode(), form.body());
        // refused at the final write, after the new bytes were stored: they are removed again
        gw.sql("create function public.refuse_thirteen() returns trigger language plpgsql as $$ begin"
                + " if new.metadata->>'size' = '13' then raise exception 'thirteen bytes are unlucky'; end if; return new; end $$;"
                + "create trigger refuse_thirteen before insert or update on storage.objects for each row execute function public.refuse_thirteen()");
        try {
            var late = s.upload("PUT", "private", name, aliceToken, "thirteen byte".getBytes(), "text/plain", true);
            assertEquals(400, late.statusCode(), late.body());
        } finally {
            gw.sql("drop trigger refuse_thirteen on storage.objects; drop function public.refuse_thirteen()");
        }

        assertEquals(before, scalar("select version || ' ' || (metadata->>'eTag') from storage.objects where name = '" + name + "'"));
        assertEquals("original", s.get("/object/private/" + name, aliceToken).body());
        assertEquals(files, storedFiles(), "no bytes left behind by refused uploads");

        var accepted = s.upload("PUT", "private", name, aliceToken, "replaced".getBytes(), "text/plain", true);
        assertEquals(200, accepted.statusCode());
        assertEquals("replaced", s.get("/object/private/" + name, aliceToken).body());
        assertEquals(files, storedFiles(), "the replaced version's bytes are collected");
    }

    @Test
    void pathHelpersSplitNamesAsSupabasesDo() throws SQLException {
        assertEquals("{a,b} c.png png", scalar("select storage.foldername('a/b/c.png')::text || ' ' || storage.filename('a/b/c.png')"
                + " || ' ' || storage.extension('a/b/c.png')"));
        assertEquals("{} top.tar.gz gz", scalar("select storage.foldername('top.tar.gz')::text || ' ' || storage.filename('top.tar.gz')"
                + " || ' ' || storage.extension('top.tar.gz')"));
        assertEquals(200, s.upload("private", "x/y/z.txt", gw.serviceKey(), "z").statusCode());
        assertEquals("{x,y,z.txt}", scalar("select path_tokens::text from storage.objects where name = 'x/y/z.txt'"));
    }

    @Test
    void serviceRoleBypassesPolicies() {
        assertEquals(200, s.upload("private", "admin/report.txt", gw.serviceKey(), "r").statusCode());
        assertEquals("r", s.get("/object/private/admin/report.txt", gw.serviceKey()).body());
        assertEquals(404, s.get("/object/private/admin/report.txt", aliceToken).statusCode());
    }

    private static long storedFiles() throws IOException {
        Path objects = gw.gateway().context().config().dataDir().resolve("storage").resolve("objects");
        try (Stream<Path> all = Files.walk(objects)) {
            return all.filter(Files::isRegularFile).count();
        }
    }

    private static String scalar(String sql) throws SQLException {
        try (Connection c = TestPostgres.connect(gw.database()); ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

}
