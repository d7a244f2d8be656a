package dev.parley.storage;

import dev.parley.auth.Caller;
import dev.parley.db.RequestTransactions;
import dev.parley.http.Json;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One upload, in an order that never changes or destroys an existing object unless the new one
 * is accepted:
 * <ol>
 * <li>validate the name; read the bucket's limits; refuse a declared length over the limit (413);</li>
 * <li>probe: write the row as the caller and roll back, so a refusal by RLS (403) or a duplicate
 *     without upsert (409) comes before a single byte is stored;</li>
 * <li>stream the body to a pending write, enforcing size (413) and MIME type (415), hashing for
 *     the ETag; commit it under a fresh version key that no row refers to yet (invisible);</li>
 * <li>write the row as the caller (insert, or upsert replacing the version): RLS decides again,
 *     since policies or rows may have changed meanwhile. If this fails, the new bytes are deleted
 *     and the previous row and bytes are untouched;</li>
 * <li>after the commit, the replaced version's bytes are collected ({@link Garbage}).</li>
 * </ol>
 */
final class Uploads {
    private static final Logger log = LoggerFactory.getLogger(Uploads.class);

    /** Thrown to roll back the permission probe; never escapes. */
    private static final class ProbeDone extends RuntimeException {
        ProbeDone() {
            super(null, null, false, false);
        }
    }

    private static final ProbeDone PROBE_DONE = new ProbeDone();

    record Result(String id, String key) {
    }

    private final RequestTransactions tx;
    private final BucketLookup buckets;
    private final ObjectStore store;
    private final Garbage garbage;
    private final StorageSettings settings;
    private final Clock clock;

    Uploads(RequestTransactions tx, BucketLookup buckets, ObjectStore store, Garbage garbage, StorageSettings settings, Clock clock) {
        this.tx = tx;
        this.buckets = buckets;
        this.store = store;
        this.garbage = garbage;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Stores the request body as {@code bucketId/name}, writing the row as {@code actAs} with
     * {@code ownerSub} recorded as owner (the caller's sub, or a signed upload's owner).
     */
    Result upload(HttpServerExchange ex, Caller actAs, String ownerSub, String bucketId, String name, boolean upsert)
            throws SQLException, IOException {
        Names.objectName(name);
        BucketLookup.Bucket bucket = buckets.require(bucketId);
        long limit = bucket.limit(settings.maxFileSize());
        UploadReader.checkDeclaredLength(ex, limit);
        String declaredType = ex.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        Map<String, Object> probeMetadata = new LinkedHashMap<>();
        if (declaredType != null && !declaredType.startsWith("multipart/")) probeMetadata.put("mimetype", declaredType);
        if (ex.getRequestContentLength() >= 0) probeMetadata.put("contentLength", ex.getRequestContentLength());
        probe(actAs, newObject(bucketId, name, ownerSub, Json.write(probeMetadata), null, "probe"), upsert);

        String version = UUID.randomUUID().toString();
        UploadReader.Received received;
        try (ObjectStore.PendingWrite write = store.begin()) {
            received = UploadReader.read(ex, write.stream(), limit, bucket.allowedMimeTypes());
            write.commit(version);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("eTag", received.eTag());
        metadata.put("size", received.size());
        metadata.put("mimetype", received.mimeType());
        metadata.put("cacheControl", received.cacheControl());
        metadata.put("lastModified", clock.instant().toString());
        metadata.put("contentLength", received.size());
        metadata.put("httpStatusCode", 200);
        ObjectQueries.NewObject row = newObject(bucketId, name, ownerSub, Json.write(metadata), received.userMetadataJson(), version);
        String id;
        try {
            id = tx.run(actAs, false, c -> ObjectQueries.write(c, row, upsert));
        } catch (SQLException | RuntimeException e) {
            deleteQuietly(version);
            throw e;
        }
        garbage.sweepQuietly();
        return new Result(id, bucketId + "/" + name);
    }

    /** Fails exactly as the real write would (RLS, duplicate), then rolls back. */
    void probe(Caller actAs, ObjectQueries.NewObject row, boolean upsert) throws SQLException {
        try {
            tx.run(actAs, false, c -> {
                ObjectQueries.write(c, row, upsert);
                throw PROBE_DONE;
            });
        } catch (ProbeDone expected) {
            // allowed
        }
    }

    static ObjectQueries.NewObject newObject(String bucketId, String name, String ownerSub, String metadata,
                                             String userMetadata, String version) {
        String sub = ownerSub == null || ownerSub.isEmpty() ? null : ownerSub;
        return new ObjectQueries.NewObject(bucketId, name, Http.uuidOrNull(sub), sub, metadata, userMetadata, version);
    }

    void deleteQuietly(String version) {
        try {
            store.delete(version);
        } catch (IOException | RuntimeException e) {
            log.warn("could not delete unused stored bytes {}: {}", version, e.toString());
        }
    }
}
