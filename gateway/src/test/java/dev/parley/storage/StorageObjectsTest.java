package dev.parley.storage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.parley.storage.StorageCalls.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Objects through the API as service_role (RLS bypassed): the wire format and the limits. */
@Timeout(60)
class StorageObjectsTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final StorageCalls s = new StorageCalls(gw);
    static String key;

    @BeforeAll
    static void start() {
        key = gw.serviceKey();
        s.createBucket("docs", false, null);
        s.createBucket("limited", false, "\"file_size_limit\":1000,\"allowed_mime_types\":[\"image/png\",\"text/*\"]");
    }

    @Test
    void aRawUploadDownloadsWithItsTypeLengthETagAndCacheControl() {
        byte[] content = "hello, storage".getBytes(StandardCharsets.UTF_8);
        var up = s.send(s.req("/object/docs/greetings/hello.txt", key).header("Content-Type", "text/plain;charset=UTF-8")
                .header("Cache-Control", "max-age=60").POST(HttpRequest.BodyPublishers.ofByteArray(content)));
        assertEquals(200, up.statusCode(), up.body());
        assertEquals("docs/greetings/hello.txt", json(up).get("Key").asText());
        assertNotNull(json(up).get("Id").asText());

        HttpResponse<byte[]> down = s.sendBytes(s.req("/object/docs/greetings/hello.txt", key).GET());
        assertEquals(200, down.statusCode());
        assertArrayEquals(content, down.body());
        assertEquals("text/plain;charset=UTF-8", down.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(String.valueOf(content.length), down.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("max-age=60", down.headers().firstValue("Cache-Control").orElseThrow());
        String etag = down.headers().firstValue("ETag").orElseThrow();
        assertTrue(etag.matches("\"[0-9a-f]{32}\""), etag);

        var authenticated = s.sendBytes(s.req("/object/authenticated/docs/greetings/hello.txt", key).GET());
        assertArrayEquals(content, authenticated.body());

        var notModified = s.sendBytes(s.req("/object/docs/greetings/hello.txt", key).header("If-None-Match", etag).GET());
        assertEquals(304, notModified.statusCode());
        assertEquals(0, notModified.body().length);

        var head = s.sendBytes(s.req("/object/docs/greetings/hello.txt", key).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(content.length), head.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void rangeRequestsAnswer206WithTheRequestedBytes() {
        byte[] content = new byte[1000];
        for (int i = 0; i < content.length; i++) content[i] = (byte) i;
        assertEquals(200, s.upload("POST", "docs", "range.bin", key, content, "application/octet-stream", false).statusCode());

        var part = s.sendBytes(s.req("/object/docs/range.bin", key).header("Range", "bytes=10-19").GET());
        assertEquals(206, part.statusCode());
        assertEquals("bytes 10-19/1000", part.headers().firstValue("Content-Range").orElseThrow());
        assertEquals("10", part.headers().firstValue("Content-Length").orElseThrow());
        assertArrayEquals(java.util.Arrays.copyOfRange(content, 10, 20), part.body());

        var tail = s.sendBytes(s.req("/object/docs/range.bin", key).header("Range", "bytes=-5").GET());
        assertEquals(206, tail.statusCode());
        assertArrayEquals(java.util.Arrays.copyOfRange(content, 995, 1000), tail.body());

        var open = s.sendBytes(s.req("/object/docs/range.bin", key).header("Range", "bytes=990-").GET());
        assertEquals("bytes 990-999/1000", open.headers().firstValue("Content-Range").orElseThrow());
        assertEquals(10, open.body().length);

        var beyond = s.sendBytes(s.req("/object/docs/range.bin", key).header("Range", "bytes=5000-").GET());
        assertEquals(416, beyond.statusCode());
        assertEquals("bytes */1000", beyond.headers().firstValue("Content-Range").orElseThrow());
    }

    @Test
    void aMultipartUploadAsSupabaseJsSendsItKeepsTypeCacheControlAndMetadata() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        var up = s.uploadForm("docs", "images/dot.png", key, png, "image/png", "3600", "{\"alt\":\"a dot\"}");
        assertEquals(200, up.statusCode(), up.body());
        var down = s.sendBytes(s.req("/object/docs/images/dot.png", key).GET());
        assertArrayEquals(png, down.body());
        assertEquals("image/png", down.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("max-age=3600", down.headers().firstValue("Cache-Control").orElseThrow());

        JsonNode info = json(s.get("/object/info/docs/images/dot.png", key));
        assertEquals("images/dot.png", info.get("name").asText());
        assertEquals("docs", info.get("bucket_id").asText());
        assertEquals(png.length, info.get("size").asLong());
        assertEquals("image/png", info.get("content_type").asText());
        assertEquals("max-age=3600", info.get("cache_control").asText());
        assertEquals("a dot", info.get("metadata").get("alt").asText());
        assertTrue(info.get("etag").asText().startsWith("\""));
        assertTrue(info.hasNonNull("id") && info.hasNonNull("version") && info.hasNonNull("created_at") && info.hasNonNull("last_modified"));
    }

    @Test
    void rawUploadsCarryUserMetadataAndDownloadsCanBeAttachments() {
        String meta = java.util.Base64.getEncoder().encodeToString("{\"owner\":\"team-a\"}".getBytes(StandardCharsets.UTF_8));
        var up = s.send(s.req("/object/docs/report.html", key).header("Content-Type", "text/html")
                .header("x-metadata", meta).POST(HttpRequest.BodyPublishers.ofString("<script>alert(1)</script>")));
        assertEquals(200, up.statusCode(), up.body());
        assertEquals("team-a", json(s.get("/object/info/docs/report.html", key)).get("metadata").get("owner").asText());

        var page = s.sendBytes(s.req("/object/docs/report.html", key).GET());
        assertEquals("text/plain", page.headers().firstValue("Content-Type").orElseThrow(), "HTML is never served as HTML");
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());

        var attachment = s.sendBytes(s.req("/object/docs/report.html?download=my%20report.html", key).GET());
        assertEquals("attachment; filename=my%20report.html; filename*=UTF-8''my%20report.html",
                attachment.headers().firstValue("Content-Disposition").orElseThrow());
        var plain = s.sendBytes(s.req("/object/docs/report.html?download", key).GET());
        assertEquals("attachment;", plain.headers().firstValue("Content-Disposition").orElseThrow());

        var missing = s.sendBytes(s.req("/object/docs/absent.txt", key).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(404, missing.statusCode());
    }

    @Test
    void overwritingWithoutUpsertIs409DuplicateAndUpsertReplaces() {
        assertEquals(200, s.upload("docs", "once.txt", key, "first").statusCode());
        var again = s.upload("docs", "once.txt", key, "second");
        assertEquals(409, again.statusCode());
        assertEquals("409", json(again).get("statusCode").asText());
        assertEquals("Duplicate", json(again).get("error").asText());
        assertEquals("first", s.get("/object/docs/once.txt", key).body());

        var upsert = s.upload("POST", "docs", "once.txt", key, "third".getBytes(), "text/plain", true);
        assertEquals(200, upsert.statusCode(), upsert.body());
        assertEquals("third", s.get("/object/docs/once.txt", key).body());

        var put = s.upload("PUT", "docs", "once.txt", key, "fourth".getBytes(), "text/plain", false);
        assertEquals(200, put.statusCode(), put.body());
        assertEquals("fourth", s.get("/object/docs/once.txt", key).body());
    }

    @Test
    void uploadsPastTheBucketSizeLimitAre413AndLeaveNothing() {
        var big = s.upload("POST", "limited", "big.txt", key, new byte[1001], "text/plain", false);
        assertEquals(413, big.statusCode(), big.body());
        assertEquals("413", json(big).get("statusCode").asText());
        assertEquals("Payload too large", json(big).get("error").asText());
        assertEquals(404, s.get("/object/limited/big.txt", key).statusCode());

        // multipart: the declared length is not the file's, so the limit is enforced while streaming
        var form = s.uploadForm("limited", "big-form.txt", key, new byte[5000], "text/plain", "60", null);
        assertEquals(413, form.statusCode(), form.body());
        assertEquals(404, s.get("/object/limited/big-form.txt", key).statusCode());

        assertEquals(200, s.upload("POST", "limited", "fits.txt", key, new byte[1000], "text/plain", false).statusCode());
    }

    @Test
    void theGlobalLimitAppliesWhateverTheBucketSays() {
        try (TestGateway small = TestGateway.start(java.util.Map.of("PARLEY_STORAGE_MAX_FILE_SIZE", "100"))) {
            StorageCalls c = new StorageCalls(small);
            c.createBucket("any", false, null);
            var r = c.upload("POST", "any", "x.bin", small.serviceKey(), new byte[101], "application/octet-stream", false);
            assertEquals(413, r.statusCode());
            assertEquals(200, c.upload("POST", "any", "y.bin", small.serviceKey(), new byte[100], "application/octet-stream", false)
                    .statusCode());
        }
    }

    @Test
    void aTypeTheBucketDoesNotAllowIs415() {
        var pdf = s.upload("POST", "limited", "doc.pdf", key, "x".getBytes(), "application/pdf", false);
        assertEquals(415, pdf.statusCode(), pdf.body());
        assertEquals("invalid_mime_type", json(pdf).get("error").asText());
        var formPdf = s.uploadForm("limited", "doc2.pdf", key, "x".getBytes(), "application/pdf", "60", null);
        assertEquals(415, formPdf.statusCode());
        assertEquals(200, s.upload("POST", "limited", "a.png", key, "x".getBytes(), "image/png", false).statusCode());
        assertEquals(200, s.upload("POST", "limited", "b.csv", key, "x".getBytes(), "text/csv; charset=utf-8", false).statusCode());
    }

    @Test
    void valuesEchoedAsResponseHeadersCannotInjectHeaders() {
        var form = s.uploadForm("docs", "inject.txt", key, "x".getBytes(), "text/plain", "60\r\nSet-Cookie: stolen=1", null);
        assertEquals(400, form.statusCode(), form.body());
        assertEquals(404, s.get("/object/docs/inject.txt", key).statusCode());
        assertEquals(200, s.upload("docs", "inject-src.txt", key, "x").statusCode());
        var copy = s.postJson("/object/copy", key, "{\"bucketId\":\"docs\",\"sourceKey\":\"inject-src.txt\","
                + "\"destinationKey\":\"inject-copy.txt\",\"metadata\":{\"mimetype\":\"text/plain\\r\\nSet-Cookie: a=b\"}}");
        assertEquals(400, copy.statusCode(), copy.body());
    }

    @Test
    void hostileNamesAre400() {
        List<String> names = List.of("..%2Fescape.txt", "a/../b.txt", "a/./b.txt", "a//b.txt", "a/", "%00nul.txt",
                "tab%09.txt", "bad%FFutf8.txt", "x".repeat(1025));
        for (String n : names) {
            var r = s.upload("docs", n, key, "x");
            assertEquals(400, r.statusCode(), n + " -> " + r.body());
            assertEquals("InvalidKey", json(r).get("error").asText(), n);
        }
        // names that arrive in JSON bodies (move and copy destinations) get the same checks
        assertEquals(200, s.upload("docs", "hostile-src.txt", key, "x").statusCode());
        for (String n : List.of("../escape.txt", "a/../../b.txt", "/abs.txt", "nul\\u0000.txt", "line\\nbreak.txt",
                "del\\u007f.txt", "x".repeat(1025))) {
            for (String op : List.of("/object/move", "/object/copy")) {
                var r = s.postJson(op, key, "{\"bucketId\":\"docs\",\"sourceKey\":\"hostile-src.txt\",\"destinationKey\":\"" + n + "\"}");
                assertEquals(400, r.statusCode(), op + " " + n + " -> " + r.body());
                assertEquals("InvalidKey", json(r).get("error").asText(), op + " " + n);
            }
        }
        assertEquals("x", s.get("/object/docs/hostile-src.txt", key).body(), "the source is untouched");
        assertEquals("hostile-src.txt", rowNames("where name ~ '(hostile|escape|abs\\.txt|nul|break|del)'"),
                "nothing was written under another name");
        assertEquals(200, s.upload("docs", "ok/" + "y".repeat(1000) + ".txt", key, "x").statusCode());
        assertEquals(200, s.upload("docs", "%C3%A9t%C3%A9%20photos/caf%C3%A9.txt", key, "x").statusCode());
        assertEquals("x", s.get("/object/docs/%C3%A9t%C3%A9%20photos/caf%C3%A9.txt", key).body());
    }

    @Test
    void listingShowsOneLevelWithFoldersAsEntriesWithoutId() {
        for (String n : List.of("list/a.txt", "list/b.txt", "list/sub/c.txt", "list/sub/deeper/d.txt", "list/other/e.txt")) {
            assertEquals(200, s.upload("docs", n, key, n).statusCode());
        }
        JsonNode all = json(s.postJson("/object/list/docs", key, "{\"prefix\":\"list\",\"limit\":100,\"offset\":0,"
                + "\"sortBy\":{\"column\":\"name\",\"order\":\"asc\"}}"));
        List<String> names = new ArrayList<>();
        all.forEach(e -> names.add(e.get("name").asText()));
        assertEquals(List.of("a.txt", "b.txt", "other", "sub"), names);
        JsonNode folder = all.get(3);
        assertTrue(folder.get("id").isNull());
        assertTrue(folder.get("metadata").isNull());
        JsonNode file = all.get(0);
        assertFalse(file.get("id").isNull());
        assertEquals(10, file.get("metadata").get("size").asLong());

        JsonNode desc = json(s.postJson("/object/list/docs", key, "{\"prefix\":\"list/\",\"sortBy\":{\"column\":\"name\",\"order\":\"desc\"}}"));
        assertEquals("sub", desc.get(0).get("name").asText());

        JsonNode paged = json(s.postJson("/object/list/docs", key, "{\"prefix\":\"list\",\"limit\":2,\"offset\":1}"));
        assertEquals(2, paged.size());
        assertEquals("b.txt", paged.get(0).get("name").asText());

        JsonNode searched = json(s.postJson("/object/list/docs", key, "{\"prefix\":\"list\",\"search\":\"B\"}"));
        assertEquals(1, searched.size());
        assertEquals("b.txt", searched.get(0).get("name").asText());

        JsonNode byDate = json(s.postJson("/object/list/docs", key, "{\"prefix\":\"list\",\"sortBy\":{\"column\":\"created_at\",\"order\":\"desc\"}}"));
        assertTrue(byDate.get(0).get("id").isNull(), "folders first when sorting by a date");

        assertEquals(400, s.postJson("/object/list/docs", key, "{\"prefix\":\"\",\"sortBy\":{\"column\":\"size; drop table x\"}}").statusCode());
        assertEquals(400, s.postJson("/object/list/docs", key, "{}").statusCode());
    }

    @Test
    void listV2PagesWithACursorAndGroupsFoldersWithADelimiter() {
        for (String n : List.of("v2/a.txt", "v2/b.txt", "v2/c/d.txt", "v2/c/e.txt", "v2/f.txt")) {
            assertEquals(200, s.upload("docs", n, key, n).statusCode());
        }
        List<String> flat = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 5; page++) {
            JsonNode r = json(s.postJson("/object/list-v2/docs", key, "{\"prefix\":\"v2/\",\"limit\":2"
                    + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"") + "}"));
            r.get("objects").forEach(o -> flat.add(o.get("name").asText()));
            if (!r.get("hasNext").asBoolean()) break;
            cursor = r.get("nextCursor").asText();
        }
        assertEquals(List.of("v2/a.txt", "v2/b.txt", "v2/c/d.txt", "v2/c/e.txt", "v2/f.txt"), flat);

        JsonNode first = json(s.postJson("/object/list-v2/docs", key, "{\"prefix\":\"v2/\",\"limit\":2,\"with_delimiter\":true}"));
        assertTrue(first.get("hasNext").asBoolean());
        assertEquals(2, first.get("objects").size());
        JsonNode second = json(s.postJson("/object/list-v2/docs", key, "{\"prefix\":\"v2/\",\"limit\":2,\"with_delimiter\":true,"
                + "\"cursor\":\"" + first.get("nextCursor").asText() + "\"}"));
        assertFalse(second.get("hasNext").asBoolean());
        assertEquals("v2/c/", second.get("folders").get(0).get("name").asText());
        assertEquals("v2/f.txt", second.get("objects").get(0).get("name").asText());

        List<String> byDate = new ArrayList<>();
        cursor = null;
        for (int page = 0; page < 5; page++) {
            JsonNode r = json(s.postJson("/object/list-v2/docs", key, "{\"prefix\":\"v2/\",\"limit\":2,"
                    + "\"sortBy\":{\"column\":\"created_at\",\"order\":\"desc\"}"
                    + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"") + "}"));
            r.get("objects").forEach(o -> byDate.add(o.get("name").asText()));
            if (!r.get("hasNext").asBoolean()) break;
            cursor = r.get("nextCursor").asText();
        }
        assertEquals(5, byDate.size());
        assertEquals("v2/f.txt", byDate.get(0));
        assertEquals(400, s.postJson("/object/list-v2/docs", key, "{\"cursor\":\"%%%\"}").statusCode());
    }

    @Test
    void moveRenamesCopyDuplicatesAndBothKeepTheBytes() {
        assertEquals(200, s.upload("docs", "mv/src.txt", key, "payload").statusCode());
        var moved = s.postJson("/object/move", key, "{\"bucketId\":\"docs\",\"sourceKey\":\"mv/src.txt\",\"destinationKey\":\"mv/dst.txt\"}");
        assertEquals(200, moved.statusCode(), moved.body());
        assertEquals("Successfully moved", json(moved).get("message").asText());
        assertEquals(404, s.get("/object/docs/mv/src.txt", key).statusCode());
        assertEquals("payload", s.get("/object/docs/mv/dst.txt", key).body());

        var copied = s.postJson("/object/copy", key, "{\"bucketId\":\"docs\",\"sourceKey\":\"mv/dst.txt\",\"destinationKey\":\"mv/copy.txt\"}");
        assertEquals(200, copied.statusCode(), copied.body());
        assertEquals("docs/mv/copy.txt", json(copied).get("Key").asText());
        assertEquals("payload", s.get("/object/docs/mv/copy.txt", key).body());

        // deleting the copy leaves the original's bytes (they may share storage)
        assertEquals(200, s.deleteJson("/object/docs/mv/copy.txt", key, null).statusCode());
        assertEquals("payload", s.get("/object/docs/mv/dst.txt", key).body());

        var ontoExisting = s.postJson("/object/copy", key, "{\"bucketId\":\"docs\",\"sourceKey\":\"mv/dst.txt\",\"destinationKey\":\"mv/dst.txt\"}");
        assertEquals(409, ontoExisting.statusCode());
        var missing = s.postJson("/object/move", key, "{\"bucketId\":\"docs\",\"sourceKey\":\"mv/none.txt\",\"destinationKey\":\"mv/x.txt\"}");
        assertEquals(404, missing.statusCode());
        var toNoBucket = s.postJson("/object/move", key, "{\"bucketId\":\"docs\",\"sourceKey\":\"mv/dst.txt\",\"destinationKey\":\"x.txt\",\"destinationBucket\":\"nope\"}");
        assertEquals(404, toNoBucket.statusCode());
        var hostile = s.postJson("/object/move", key, "{\"bucketId\":\"docs\",\"sourceKey\":\"mv/dst.txt\",\"destinationKey\":\"../x.txt\"}");
        assertEquals(400, hostile.statusCode());
    }

    @Test
    void copyingOrMovingIntoABucketRespectsItsLimits() {
        assertEquals(200, s.upload("POST", "docs", "lim/big.txt", key, new byte[2000], "text/plain", false).statusCode());
        assertEquals(200, s.upload("POST", "docs", "lim/doc.pdf", key, "x".getBytes(), "application/pdf", false).statusCode());
        String big = "{\"bucketId\":\"docs\",\"sourceKey\":\"lim/big.txt\",\"destinationKey\":\"big.txt\",\"destinationBucket\":\"limited\"}";
        String pdf = "{\"bucketId\":\"docs\",\"sourceKey\":\"lim/doc.pdf\",\"destinationKey\":\"doc.pdf\",\"destinationBucket\":\"limited\"}";
        assertEquals(413, s.postJson("/object/copy", key, big).statusCode());
        assertEquals(415, s.postJson("/object/copy", key, pdf).statusCode());
        assertEquals(413, s.postJson("/object/move", key, big).statusCode());
        assertEquals(415, s.postJson("/object/move", key, pdf).statusCode());
        assertEquals(200, s.get("/object/docs/lim/big.txt", key).statusCode());
        assertEquals(404, s.get("/object/limited/big.txt", key).statusCode());
    }

    @Test
    void concurrentOverwritesNeverServeAMissingOrMixedObject() throws Exception {
        assertEquals(200, s.upload("docs", "race.txt", key, "v-initial-" + "x".repeat(5000)).statusCode());
        java.util.Set<String> written = java.util.concurrent.ConcurrentHashMap.newKeySet();
        written.add("v-initial-" + "x".repeat(5000));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        var failures = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        var writers = new ArrayList<java.util.concurrent.Future<?>>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            writers.add(pool.submit(() -> {
                for (int i = 0; i < 15; i++) {
                    String content = "v-" + writer + "-" + i + "-" + "y".repeat(5000);
                    written.add(content);
                    var r = s.upload("PUT", "docs", "race.txt", key, content.getBytes(StandardCharsets.UTF_8), "text/plain", true);
                    if (r.statusCode() != 200) failures.add("upload " + r.statusCode() + " " + r.body());
                }
            }));
        }
        var readers = new ArrayList<java.util.concurrent.Future<?>>();
        for (int r = 0; r < 2; r++) {
            readers.add(pool.submit(() -> {
                while (writers.stream().anyMatch(f -> !f.isDone())) {
                    var d = s.get("/object/docs/race.txt", key);
                    if (d.statusCode() != 200 || !written.contains(d.body())) {
                        failures.add("download " + d.statusCode() + " " + d.body().substring(0, Math.min(80, d.body().length())));
                    }
                }
            }));
        }
        for (var f : writers) f.get(50, java.util.concurrent.TimeUnit.SECONDS);
        for (var f : readers) f.get(50, java.util.concurrent.TimeUnit.SECONDS);
        pool.shutdown();
        assertTrue(failures.isEmpty(), failures.toString());
        String version = json(s.get("/object/info/docs/race.txt", key)).get("version").asText();
        java.nio.file.Path dir = gw.gateway().context().config().dataDir().resolve("storage").resolve("objects");
        try (var files = java.nio.file.Files.walk(dir)) {
            long leftovers = files.filter(java.nio.file.Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().equals(version))
                    .filter(f -> {
                        try {
                            return java.nio.file.Files.readString(f).startsWith("v-");
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    }).count();
            assertEquals(0, leftovers, "replaced versions are collected");
        }
    }

    @Test
    void bulkRemoveReturnsTheRemovedObjectsAndDeletesTheirBytes() throws Exception {
        assertEquals(200, s.upload("docs", "rm/1.txt", key, "1").statusCode());
        assertEquals(200, s.upload("docs", "rm/2.txt", key, "2").statusCode());
        String version = json(s.get("/object/info/docs/rm/1.txt", key)).get("version").asText();
        var removed = s.deleteJson("/object/docs", key, "{\"prefixes\":[\"rm/1.txt\",\"rm/2.txt\",\"rm/none.txt\"]}");
        assertEquals(200, removed.statusCode(), removed.body());
        JsonNode arr = json(removed);
        assertEquals(2, arr.size());
        assertEquals("docs", arr.get(0).get("bucket_id").asText());
        assertEquals(404, s.get("/object/docs/rm/1.txt", key).statusCode());
        java.nio.file.Path bytes = java.nio.file.Path.of(gw.gateway().context().config().dataDir().toString(), "storage", "objects",
                version.substring(0, 2), version);
        assertFalse(java.nio.file.Files.exists(bytes), "bytes of a removed object are deleted");
        assertEquals(404, s.deleteJson("/object/docs/rm/1.txt", key, null).statusCode());
    }

    @Test
    void unknownObjectsAndBucketsAre404InStorageShape() {
        var r = s.get("/object/docs/missing.txt", key);
        assertEquals(404, r.statusCode());
        assertEquals("not_found", json(r).get("error").asText());
        assertEquals("Object not found", json(r).get("message").asText());
        var b = s.get("/object/nobucket/x.txt", key);
        assertEquals(404, b.statusCode());
        assertEquals("Bucket not found", json(b).get("message").asText());
        assertEquals(404, s.get("/nothing-here", key).statusCode());
    }

    /** The names of the objects of bucket docs selected by {@code where}, comma-separated in order. */
    private static String rowNames(String where) {
        try (var c = dev.parley.testing.TestPostgres.connect(gw.database()); var st = c.createStatement();
             var rs = st.executeQuery("select coalesce(string_agg(name, ',' order by name), '') from storage.objects "
                     + where + " and bucket_id = 'docs'")) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
