package dev.parley.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.http.Json;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One row of storage.objects as the routes need it. {@code version} is the key of the bytes in
 * the {@link ObjectStore}; {@code metadata} is Supabase's object metadata
 * ({@code eTag, size, mimetype, cacheControl, lastModified, contentLength, httpStatusCode}).
 */
record StoredObject(String id, String bucketId, String name, String version, JsonNode metadata,
                    JsonNode userMetadata, String createdAt, String updatedAt) {

    /** The columns {@link #read} expects, in order. */
    static final String COLUMNS = "id::text, bucket_id, name, version, metadata::text, user_metadata::text, "
            + "to_json(created_at)#>>'{}', to_json(updated_at)#>>'{}'";

    static StoredObject read(ResultSet rs) throws SQLException {
        return new StoredObject(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                parse(rs.getString(5)), parse(rs.getString(6)), rs.getString(7), rs.getString(8));
    }

    long size() {
        return metadata.path("size").asLong(0);
    }

    String mimeType() {
        return metadata.path("mimetype").asText("application/octet-stream");
    }

    String cacheControl() {
        return metadata.hasNonNull("cacheControl") ? metadata.get("cacheControl").asText() : null;
    }

    String eTag() {
        return metadata.hasNonNull("eTag") ? metadata.get("eTag").asText() : null;
    }

    String lastModified() {
        return metadata.hasNonNull("lastModified") ? metadata.get("lastModified").asText() : updatedAt;
    }

    private static JsonNode parse(String json) {
        if (json == null) return JsonNodeFactory.instance.nullNode();
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return JsonNodeFactory.instance.nullNode();
        }
    }
}
