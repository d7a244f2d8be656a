package dev.parley.storage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.auth.Caller;
import dev.parley.db.RequestTransactions;
import io.undertow.server.HttpServerExchange;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * /bucket: create, list, get, update, empty, delete. Every statement runs as the caller, so RLS
 * on storage.buckets (and storage.objects for empty) decides: with no policies only service_role
 * manages buckets, as in Supabase.
 */
final class BucketRoutes {
    private static final String BUCKET_JSON = "json_build_object('id', id, 'name', name, "
            + "'owner', coalesce(owner::text, owner_id, ''), 'public', public, 'type', 'STANDARD', "
            + "'file_size_limit', file_size_limit, 'allowed_mime_types', allowed_mime_types, "
            + "'created_at', created_at, 'updated_at', updated_at)::text";
    private static final Set<String> SORT_COLUMNS = Set.of("id", "name", "created_at", "updated_at");

    private final RequestTransactions tx;
    private final StorageSettings settings;
    private final Garbage garbage;

    BucketRoutes(RequestTransactions tx, StorageSettings settings, Garbage garbage) {
        this.tx = tx;
        this.settings = settings;
        this.garbage = garbage;
    }

    void list(HttpServerExchange ex, Caller caller) throws SQLException {
        int limit = Http.intParam(ex, "limit", Integer.MAX_VALUE, 1);
        int offset = Http.intParam(ex, "offset", 0, 0);
        String column = Http.param(ex, "sortColumn");
        String order = Http.param(ex, "sortOrder");
        String search = Http.param(ex, "search");
        if (column != null && !SORT_COLUMNS.contains(column)) throw StorageError.invalidRequest("sortColumn must be one of " + SORT_COLUMNS);
        if (order != null && !order.equalsIgnoreCase("asc") && !order.equalsIgnoreCase("desc")) {
            throw StorageError.invalidRequest("sortOrder must be asc or desc");
        }
        // column and order come from the fixed sets above, never from the request as text
        String sql = "select " + BUCKET_JSON + " from storage.buckets"
                + (search != null ? " where name ilike ? escape '\\'" : "")
                + " order by " + (column == null ? "name" : column) + " "
                + (order == null ? "asc" : order.toLowerCase(Locale.ROOT)) + ", id limit ? offset ?";
        String json = tx.run(caller, true, c -> {
            try (PreparedStatement st = c.prepareStatement(sql)) {
                int i = 1;
                if (search != null) st.setString(i++, "%" + Http.likeEscape(search) + "%");
                st.setLong(i++, limit);
                st.setLong(i, offset);
                return Http.jsonArray(st);
            }
        });
        Http.sendJson(ex, 200, json);
    }

    void get(HttpServerExchange ex, Caller caller, String id) throws SQLException {
        String json = tx.run(caller, true, c -> {
            try (PreparedStatement st = c.prepareStatement("select " + BUCKET_JSON + " from storage.buckets where id = ?")) {
                st.setString(1, id);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
        if (json == null) throw StorageError.bucketNotFound();
        Http.sendJson(ex, 200, json);
    }

    void create(HttpServerExchange ex, Caller caller) throws SQLException {
        JsonNode body = Http.jsonBody(ex, false);
        String name = Http.text(body, "name");
        if (name == null) throw StorageError.invalidRequest("body must have required property 'name'");
        String id = Http.text(body, "id");
        id = Names.bucketId(id == null || id.isEmpty() ? name : id);
        Names.bucketId(name);
        boolean isPublic = body.path("public").asBoolean(false);
        Long sizeLimit = fileSizeLimit(body.get("file_size_limit"));
        List<String> mimeTypes = mimeTypes(body.get("allowed_mime_types"));
        String bucketId = id;
        tx.run(caller, false, c -> {
            try (PreparedStatement st = c.prepareStatement("insert into storage.buckets "
                    + "(id, name, owner, owner_id, public, file_size_limit, allowed_mime_types) values (?, ?, ?, ?, ?, ?, ?)")) {
                st.setString(1, bucketId);
                st.setString(2, name);
                st.setObject(3, Http.uuidOrNull(caller.sub()));
                st.setString(4, caller.sub().isEmpty() ? null : caller.sub());
                st.setBoolean(5, isPublic);
                setLimit(st, 6, sizeLimit);
                setMimeTypes(c, st, 7, mimeTypes);
                st.executeUpdate();
            }
            return null;
        });
        Http.sendJson(ex, 200, Map.of("name", name));
    }

    void update(HttpServerExchange ex, Caller caller, String id) throws SQLException {
        JsonNode body = Http.jsonBody(ex, false);
        boolean hasPublic = body.has("public");
        boolean hasLimit = body.has("file_size_limit");
        boolean hasMime = body.has("allowed_mime_types");
        if (!hasPublic && !hasLimit && !hasMime) {
            throw StorageError.invalidRequest("body must have one of public, file_size_limit, allowed_mime_types");
        }
        if (hasPublic && !body.get("public").isBoolean()) throw StorageError.invalidRequest("public must be a boolean");
        Long sizeLimit = hasLimit ? fileSizeLimit(body.get("file_size_limit")) : null;
        List<String> mimeTypes = hasMime ? mimeTypes(body.get("allowed_mime_types")) : null;
        int updated = tx.run(caller, false, c -> {
            try (PreparedStatement st = c.prepareStatement("update storage.buckets set "
                    + "public = case when ? then ? else public end, "
                    + "file_size_limit = case when ? then ? else file_size_limit end, "
                    + "allowed_mime_types = case when ? then ? else allowed_mime_types end where id = ?")) {
                st.setBoolean(1, hasPublic);
                st.setBoolean(2, hasPublic && body.get("public").asBoolean());
                st.setBoolean(3, hasLimit);
                setLimit(st, 4, sizeLimit);
                st.setBoolean(5, hasMime);
                setMimeTypes(c, st, 6, mimeTypes);
                st.setString(7, id);
                return st.executeUpdate();
            }
        });
        if (updated == 0) throw StorageError.bucketNotFound();
        Http.sendJson(ex, 200, Map.of("message", "Successfully updated"));
    }

    /** Deletes every object of the bucket the caller may delete (RLS), then their bytes. */
    void empty(HttpServerExchange ex, Caller caller, String id) throws SQLException {
        tx.run(caller, false, c -> {
            try (PreparedStatement find = c.prepareStatement("select 1 from storage.buckets where id = ?")) {
                find.setString(1, id);
                try (ResultSet rs = find.executeQuery()) {
                    if (!rs.next()) throw StorageError.bucketNotFound();
                }
            }
            try (PreparedStatement st = c.prepareStatement("delete from storage.objects where bucket_id = ?")) {
                st.setString(1, id);
                st.executeUpdate();
            }
            return null;
        });
        garbage.sweepQuietly();
        Http.sendJson(ex, 200, Map.of("message", "Successfully emptied"));
    }

    void delete(HttpServerExchange ex, Caller caller, String id) throws SQLException {
        int deleted;
        try {
            deleted = tx.run(caller, false, c -> {
                try (PreparedStatement st = c.prepareStatement("delete from storage.buckets where id = ?")) {
                    st.setString(1, id);
                    return st.executeUpdate();
                }
            });
        } catch (SQLException e) {
            if ("23503".equals(e.getSQLState())) throw StorageError.bucketNotEmpty();
            throw e;
        }
        if (deleted == 0) throw StorageError.bucketNotFound();
        Http.sendJson(ex, 200, Map.of("message", "Successfully deleted"));
    }

    /** A number of bytes, or a string such as "20MB" / "30KB" / "3B", as Supabase accepts; null clears. */
    private Long fileSizeLimit(JsonNode node) {
        if (node == null || node.isNull()) return null;
        long bytes;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            bytes = node.asLong();
        } else if (node.isTextual()) {
            bytes = Sizes.parse(node.asText());
        } else {
            throw StorageError.invalidRequest("Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B");
        }
        if (bytes < 0) throw StorageError.invalidRequest("file_size_limit must not be negative");
        if (bytes > settings.maxFileSize()) {
            throw StorageError.invalidRequest("file_size_limit exceeds the global limit of " + settings.maxFileSize() + " bytes");
        }
        return bytes;
    }

    private static List<String> mimeTypes(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (!node.isArray()) throw StorageError.invalidRequest("allowed_mime_types must be an array of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) throw StorageError.invalidRequest("allowed_mime_types must be an array of strings");
            String t = n.asText().trim();
            if (t.isEmpty()) continue;
            if (!t.matches("[A-Za-z0-9!#$&^_.+-]+/([A-Za-z0-9!#$&^_.+-]+|\\*)")) {
                throw StorageError.invalidRequest("allowed_mime_types: '" + t + "' is not a type/subtype");
            }
            out.add(t.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static void setLimit(PreparedStatement st, int i, Long limit) throws SQLException {
        if (limit == null) st.setNull(i, Types.BIGINT);
        else st.setLong(i, limit);
    }

    private static void setMimeTypes(Connection c, PreparedStatement st, int i, List<String> types) throws SQLException {
        if (types == null) {
            st.setNull(i, Types.ARRAY);
        } else {
            Array array = c.createArrayOf("text", types.toArray());
            st.setArray(i, array);
        }
    }
}
