package dev.parley.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.auth.Caller;
import dev.parley.db.RequestTransactions;
import dev.parley.http.Json;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * /object: upload, download, info, list, move, copy, remove and signed URLs. Metadata work runs
 * as the caller (RLS decides, as in Supabase); the admin login only reads a bucket's limits and
 * public flag, and serves objects of public buckets and signed URLs, whose access was decided
 * when they were made public or signed.
 */
final class ObjectRoutes {
    /** How an object is asked for: by the caller's rights, or as an object of a public bucket. */
    enum Access { CALLER, PUBLIC }

    private static final Set<String> SORT_COLUMNS = Set.of("name", "updated_at", "created_at", "last_accessed_at");
    private static final int MAX_LIST = 1500;
    private static final int MAX_PATHS = 1000;
    /** About a century: far enough for any use, near enough that exp never overflows. */
    private static final long MAX_EXPIRES_IN = 100L * 365 * 24 * 3600;
    /** Signed uploads write as service_role: the caller's rights were checked when the URL was signed. */
    static final Caller SIGNED_UPLOADER = new Caller(Caller.SERVICE_ROLE, "{\"role\":\"service_role\"}", "", 0,
            Map.of("role", Caller.SERVICE_ROLE));

    private final RequestTransactions tx;
    private final DataSource admin;
    private final BucketLookup buckets;
    private final ObjectStore store;
    private final Uploads uploads;
    private final Downloads downloads;
    private final SignedUrls signed;
    private final Garbage garbage;
    private final StorageSettings settings;
    private final Clock clock;

    ObjectRoutes(RequestTransactions tx, DataSource admin, BucketLookup buckets, ObjectStore store, Uploads uploads,
                 Downloads downloads, SignedUrls signed, Garbage garbage, StorageSettings settings, Clock clock) {
        this.tx = tx;
        this.admin = admin;
        this.buckets = buckets;
        this.store = store;
        this.uploads = uploads;
        this.downloads = downloads;
        this.signed = signed;
        this.garbage = garbage;
        this.settings = settings;
        this.clock = clock;
    }

    /** POST (x-upsert decides) and PUT (always replaces) /object/{bucket}/{name}. */
    void upload(HttpServerExchange ex, Caller caller, String bucketId, String name, boolean put) throws SQLException, IOException {
        boolean upsert = put || "true".equalsIgnoreCase(ex.getRequestHeaders().getFirst("x-upsert"));
        Uploads.Result r = uploads.upload(ex, caller, caller.sub(), bucketId, name, upsert);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Id", r.id());
        body.put("Key", r.key());
        Http.sendJson(ex, 200, body);
    }

    /** GET/HEAD /object/{bucket}/{name}, /object/authenticated/..., /object/public/... */
    void download(HttpServerExchange ex, Caller caller, Access access, String bucketId, String name, boolean head)
            throws SQLException, IOException {
        Downloads.Lookup lookup = lookup(caller, access, bucketId, name);
        downloads.serve(ex, lookup, head, null);
    }

    /** GET /object/info/{bucket}/{name} (and /info/authenticated, /info/public). */
    void info(HttpServerExchange ex, Caller caller, Access access, String bucketId, String name) throws SQLException {
        StoredObject o = lookup(caller, access, bucketId, name).find();
        if (o == null) throw StorageError.objectNotFound();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", o.id());
        body.put("name", o.name());
        body.put("version", o.version());
        body.put("bucket_id", o.bucketId());
        body.put("size", o.size());
        body.put("content_type", o.mimeType());
        body.put("cache_control", o.cacheControl());
        body.put("etag", o.eTag());
        body.put("metadata", o.userMetadata().isNull() ? null : o.userMetadata());
        body.put("last_modified", o.updatedAt());
        body.put("created_at", o.createdAt());
        if (o.eTag() != null) ex.getResponseHeaders().put(Headers.ETAG, o.eTag());
        Http.sendJson(ex, 200, body);
    }

    /**
     * Which row a read sees. A public bucket's objects are read with the admin login (no RLS), as
     * Supabase does; otherwise as the caller. The public route requires a public bucket.
     */
    private Downloads.Lookup lookup(Caller caller, Access access, String bucketId, String name) throws SQLException {
        Names.objectName(name);
        BucketLookup.Bucket bucket = buckets.require(bucketId);
        if (access == Access.PUBLIC && !bucket.isPublic()) throw StorageError.bucketNotFound();
        if (bucket.isPublic()) return () -> adminFind(bucketId, name);
        return () -> tx.run(caller, true, c -> ObjectQueries.find(c, bucketId, name));
    }

    private StoredObject adminFind(String bucketId, String name) throws SQLException {
        try (var c = admin.getConnection()) {
            return ObjectQueries.find(c, bucketId, name);
        }
    }

    /** POST /object/list/{bucket} {prefix, limit, offset, sortBy: {column, order}, search}. */
    void list(HttpServerExchange ex, Caller caller, String bucketId) throws SQLException {
        JsonNode body = Http.jsonBody(ex, false);
        if (!body.has("prefix")) throw StorageError.invalidRequest("body must have required property 'prefix'");
        String prefix = body.get("prefix").isNull() ? "" : Http.requiredText(body, "prefix");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) prefix = prefix + "/";
        String search = Http.text(body, "search");
        int limit = Math.min(intField(body, "limit", 100, 1), MAX_LIST);
        int offset = intField(body, "offset", 0, 0);
        JsonNode sortBy = body.path("sortBy");
        String column = sortBy.path("column").asText("name");
        String order = sortBy.path("order").asText("asc");
        if (!SORT_COLUMNS.contains(column)) throw StorageError.invalidRequest("sortBy.column must be one of " + SORT_COLUMNS);
        if (!order.equalsIgnoreCase("asc") && !order.equalsIgnoreCase("desc")) {
            throw StorageError.invalidRequest("sortBy.order must be asc or desc");
        }
        String p = prefix;
        String json = tx.run(caller, true, c -> ObjectQueries.list(c, bucketId, p, search == null ? "" : search, limit, offset,
                column, order.equalsIgnoreCase("asc")));
        Http.sendJson(ex, 200, json);
    }

    /** POST /object/list-v2/{bucket}: cursor-paged listing with full names ({@link ListV2}). */
    void listV2(HttpServerExchange ex, Caller caller, String bucketId) throws SQLException {
        ListV2.Options options = ListV2.parse(Http.jsonBody(ex, true));
        Http.sendJson(ex, 200, tx.run(caller, true, c -> ListV2.run(c, bucketId, options)));
    }

    /** DELETE /object/{bucket} {prefixes}: removes what the caller may delete, returns what was removed. */
    void removeMany(HttpServerExchange ex, Caller caller, String bucketId) throws SQLException {
        List<String> names = stringList(Http.jsonBody(ex, false), "prefixes");
        String json = tx.run(caller, false, c -> ObjectQueries.deleteAll(c, bucketId, names));
        garbage.sweepQuietly();
        Http.sendJson(ex, 200, json);
    }

    /** DELETE /object/{bucket}/{name}. */
    void removeOne(HttpServerExchange ex, Caller caller, String bucketId, String name) throws SQLException {
        Names.objectName(name);
        String json = tx.run(caller, false, c -> ObjectQueries.deleteAll(c, bucketId, List.of(name)));
        if (json.equals("[]")) throw StorageError.objectNotFound();
        garbage.sweepQuietly();
        Http.sendJson(ex, 200, Map.of("message", "Successfully deleted"));
    }

    /**
     * The source and destination of a move or a copy: {bucketId, sourceKey, destinationKey,
     * destinationBucket}; an absent or empty destinationBucket is the source's bucket.
     */
    record Transfer(String bucketId, String from, String to, String destBucket) {
        static Transfer of(JsonNode body) {
            String bucketId = Http.requiredText(body, "bucketId");
            String from = Names.objectName(Http.requiredText(body, "sourceKey"));
            String to = Names.objectName(Http.requiredText(body, "destinationKey"));
            String toBucket = Http.text(body, "destinationBucket");
            return new Transfer(bucketId, from, to, toBucket == null || toBucket.isEmpty() ? bucketId : toBucket);
        }
    }

    /** POST /object/move {bucketId, sourceKey, destinationKey, destinationBucket}: a rename; the bytes stay. */
    void move(HttpServerExchange ex, Caller caller) throws SQLException {
        JsonNode body = Http.jsonBody(ex, false);
        Transfer t = Transfer.of(body);
        UUID owner = Http.uuidOrNull(caller.sub());
        String ownerId = caller.sub().isEmpty() ? null : caller.sub();
        if (!t.destBucket().equals(t.bucketId())) {
            // into another bucket: that bucket's limits apply, as to an upload
            StoredObject source = tx.run(caller, true, c -> ObjectQueries.find(c, t.bucketId(), t.from()));
            if (source == null) throw StorageError.objectNotFound();
            requireFits(buckets.require(t.destBucket()), source.size(), source.mimeType());
        }
        String id;
        try {
            id = tx.run(caller, false,
                    c -> ObjectQueries.move(c, t.bucketId(), t.from(), t.destBucket(), t.to(), owner, ownerId));
        } catch (SQLException e) {
            if ("23503".equals(e.getSQLState())) throw StorageError.bucketNotFound();
            throw e;
        }
        if (id == null) throw StorageError.objectNotFound();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("message", "Successfully moved");
        out.put("Id", id);
        out.put("Key", t.to());
        Http.sendJson(ex, 200, out);
    }

    /**
     * POST /object/copy {bucketId, sourceKey, destinationKey, destinationBucket, copyMetadata, metadata}.
     * The source is read as the caller; the copy's bytes go under a new version before its row is
     * written as the caller (insert, or upsert with x-upsert), so a refused copy changes nothing.
     */
    void copy(HttpServerExchange ex, Caller caller) throws SQLException, IOException {
        JsonNode body = Http.jsonBody(ex, false);
        Transfer t = Transfer.of(body);
        boolean upsert = "true".equalsIgnoreCase(ex.getRequestHeaders().getFirst("x-upsert"));
        boolean copyMetadata = body.path("copyMetadata").asBoolean(true);
        StoredObject source = tx.run(caller, true, c -> ObjectQueries.find(c, t.bucketId(), t.from()));
        if (source == null) throw StorageError.objectNotFound();
        BucketLookup.Bucket target = buckets.require(t.destBucket());

        var metadata = source.metadata().isObject() ? ((ObjectNode) source.metadata().deepCopy())
                : Json.MAPPER.createObjectNode();
        JsonNode override = body.path("metadata");
        if (override.hasNonNull("cacheControl")) {
            metadata.put("cacheControl", Http.headerValue("metadata.cacheControl", override.get("cacheControl").asText()));
        }
        if (override.hasNonNull("mimetype")) {
            metadata.put("mimetype", Http.headerValue("metadata.mimetype", override.get("mimetype").asText()));
        }
        metadata.put("lastModified", clock.instant().toString());
        String userMetadata = copyMetadata && source.userMetadata().isObject() ? source.userMetadata().toString() : null;
        requireFits(target, source.size(), metadata.path("mimetype").asText("application/octet-stream"));

        String version = UUID.randomUUID().toString();
        try {
            store.copy(source.version(), version);
        } catch (NoSuchFileException e) {
            throw StorageError.objectNotFound();
        }
        ObjectQueries.NewObject row =
                Uploads.newObject(t.destBucket(), t.to(), caller.sub(), metadata.toString(), userMetadata, version);
        String id;
        try {
            id = tx.run(caller, false, c -> ObjectQueries.write(c, row, upsert));
        } catch (SQLException | RuntimeException e) {
            uploads.deleteQuietly(version);
            throw e;
        }
        garbage.sweepQuietly();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Id", id);
        out.put("Key", t.destBucket() + "/" + t.to());
        out.put("id", id);
        out.put("name", t.to());
        out.put("bucket_id", t.destBucket());
        out.put("version", version);
        out.put("metadata", metadata);
        Http.sendJson(ex, 200, out);
    }

    /** POST /object/sign/{bucket}/{name} {expiresIn}: needs the caller to see the object. */
    void sign(HttpServerExchange ex, Caller caller, String bucketId, String name) throws SQLException {
        Names.objectName(name);
        long expiresIn = expiresIn(Http.jsonBody(ex, false));
        StoredObject o = tx.run(caller, true, c -> ObjectQueries.find(c, bucketId, name));
        if (o == null) throw StorageError.objectNotFound();
        Http.sendJson(ex, 200, Map.of("signedURL", signed.downloadPath(bucketId, name, expiresIn)));
    }

    /** POST /object/sign/{bucket} {expiresIn, paths}: one entry per path, an error for what the caller cannot see. */
    void signMany(HttpServerExchange ex, Caller caller, String bucketId) throws SQLException {
        JsonNode body = Http.jsonBody(ex, false);
        long expiresIn = expiresIn(body);
        List<String> paths = stringList(body, "paths");
        Set<String> visible = Set.copyOf(tx.run(caller, true, c -> ObjectQueries.visibleNames(c, bucketId, paths)));
        List<Map<String, Object>> out = new ArrayList<>();
        for (String path : paths) {
            Map<String, Object> entry = new LinkedHashMap<>();
            boolean ok = visible.contains(path);
            entry.put("error", ok ? null : "Either the object does not exist or you do not have access to it");
            entry.put("path", path);
            entry.put("signedURL", ok ? signed.downloadPath(bucketId, path, expiresIn) : null);
            out.add(entry);
        }
        Http.sendJson(ex, 200, out);
    }

    /** GET /object/sign/{bucket}/{name}?token=: the token alone grants access, until it expires. */
    void downloadSigned(HttpServerExchange ex, String bucketId, String name, boolean head) throws SQLException, IOException {
        Map<String, Object> claims = signed.verify(Http.param(ex, "token"), SignedUrls.DOWNLOAD, bucketId, name);
        Object exp = claims.get("exp");
        String expires = exp instanceof Number n ? Downloads.httpDate(Instant.ofEpochSecond(n.longValue())) : null;
        downloads.serve(ex, () -> adminFind(bucketId, name), head, expires);
    }

    /** POST /object/upload/sign/{bucket}/{name}: checks now that the caller may upload there (x-upsert too). */
    void signUpload(HttpServerExchange ex, Caller caller, String bucketId, String name) throws SQLException {
        Names.objectName(name);
        buckets.require(bucketId);
        boolean upsert = "true".equalsIgnoreCase(ex.getRequestHeaders().getFirst("x-upsert"));
        uploads.probe(caller, Uploads.newObject(bucketId, name, caller.sub(), "{}", null, "probe"), upsert);
        String token = signed.uploadToken(bucketId, name, caller.sub(), upsert, settings.signedUploadSeconds());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("url", "/object/upload/sign/" + bucketId + "/" + name + "?token=" + token);
        out.put("token", token);
        Http.sendJson(ex, 200, out);
    }

    /** PUT /object/upload/sign/{bucket}/{name}?token=: uploads with the signer's identity as owner. */
    void uploadSigned(HttpServerExchange ex, String bucketId, String name) throws SQLException, IOException {
        Map<String, Object> claims = signed.verify(Http.param(ex, "token"), SignedUrls.UPLOAD, bucketId, name);
        String owner = claims.get("owner") instanceof String s ? s : null;
        boolean upsert = Boolean.TRUE.equals(claims.get("upsert"));
        Uploads.Result r = uploads.upload(ex, SIGNED_UPLOADER, owner, bucketId, name, upsert);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Id", r.id());
        out.put("Key", r.key());
        Http.sendJson(ex, 200, out);
    }

    /** A bucket's size and type limits, applied to an object copied or moved into it. */
    private void requireFits(BucketLookup.Bucket bucket, long size, String mimeType) {
        long limit = bucket.limit(settings.maxFileSize());
        if (size > limit) throw StorageError.entityTooLarge(limit);
        UploadReader.checkMime(mimeType, bucket.allowedMimeTypes());
    }

    private static long expiresIn(JsonNode body) {
        JsonNode n = body.get("expiresIn");
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 1 || n.asLong() > MAX_EXPIRES_IN) {
            throw StorageError.invalidRequest("Invalid Parameter expiresIn: an integer from 1 to " + MAX_EXPIRES_IN + " seconds");
        }
        return n.asLong();
    }

    private static int intField(JsonNode body, String field, int fallback, int min) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return fallback;
        if (!n.isIntegralNumber() || n.asLong() < min || n.asLong() > Integer.MAX_VALUE) {
            throw StorageError.invalidRequest(field + " must be an integer >= " + min);
        }
        return n.asInt();
    }

    private static List<String> stringList(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || !n.isArray() || n.isEmpty()) throw StorageError.invalidRequest(field + " must be a non-empty array of strings");
        if (n.size() > MAX_PATHS) throw StorageError.invalidRequest(field + " must have at most " + MAX_PATHS + " entries");
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) throw StorageError.invalidRequest(field + " must be a non-empty array of strings");
            out.add(e.asText());
        }
        return out;
    }
}
