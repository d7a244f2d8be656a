package dev.parley.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The SQL on storage.objects. Each method runs on a connection already inside the caller's
 * transaction ({@link dev.parley.db.RequestTransactions}), so RLS filters what it reads and
 * refuses what it may not write; values are always bound parameters.
 */
final class ObjectQueries {
    /** An object as listed and as returned by bulk delete (Supabase's objectSchema). */
    static final String OBJECT_JSON = "json_build_object('name', name, 'bucket_id', bucket_id, "
            + "'owner', coalesce(owner::text, owner_id, ''), 'owner_id', coalesce(owner_id, owner::text, ''), "
            + "'version', version, 'id', id, 'updated_at', updated_at, 'created_at', created_at, "
            + "'last_accessed_at', last_accessed_at, 'metadata', metadata, 'user_metadata', user_metadata)::text";

    /** A row to write. {@code owner} is the uploader's uuid (null for service_role or a non-uuid sub). */
    record NewObject(String bucketId, String name, UUID owner, String ownerId, String metadataJson,
                     String userMetadataJson, String version) {
    }

    private ObjectQueries() {
    }

    static StoredObject find(Connection c, String bucketId, String name) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select " + StoredObject.COLUMNS
                + " from storage.objects where bucket_id = ? and name = ?")) {
            st.setString(1, bucketId);
            st.setString(2, name);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? StoredObject.read(rs) : null;
            }
        }
    }

    /** The names among {@code names} the caller can see. */
    static List<String> visibleNames(Connection c, String bucketId, List<String> names) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select name from storage.objects where bucket_id = ? and name = any(?)")) {
            st.setString(1, bucketId);
            st.setArray(2, c.createArrayOf("text", names.toArray()));
            List<String> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        }
    }

    /**
     * Inserts the row, or with {@code upsert} replaces the row of the same name (which then needs
     * the caller's SELECT and UPDATE policies too, as in Supabase). A duplicate without upsert
     * fails with 23505. Returns the object's id.
     */
    static String write(Connection c, NewObject o, boolean upsert) throws SQLException {
        String sql = "insert into storage.objects (bucket_id, name, owner, owner_id, metadata, user_metadata, version) "
                + "values (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)"
                + (upsert ? " on conflict (bucket_id, name) do update set owner = excluded.owner, owner_id = excluded.owner_id, "
                + "metadata = excluded.metadata, user_metadata = excluded.user_metadata, version = excluded.version, "
                + "last_accessed_at = now()" : "")
                + " returning id::text";
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, o.bucketId());
            st.setString(2, o.name());
            st.setObject(3, o.owner());
            st.setString(4, o.ownerId());
            st.setString(5, o.metadataJson());
            st.setString(6, o.userMetadataJson());
            st.setString(7, o.version());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** Deletes the named objects the caller may delete; returns them as a JSON array. */
    static String deleteAll(Connection c, String bucketId, List<String> names) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("delete from storage.objects where bucket_id = ? and name = any(?) returning "
                + OBJECT_JSON)) {
            st.setString(1, bucketId);
            st.setArray(2, c.createArrayOf("text", names.toArray()));
            return Http.jsonArray(st);
        }
    }

    /** Renames (and possibly re-buckets) an object; null when the caller cannot see or update it. */
    static String move(Connection c, String bucketId, String from, String toBucket, String to, UUID owner, String ownerId)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("update storage.objects set name = ?, bucket_id = ?, owner = ?, owner_id = ? "
                + "where bucket_id = ? and name = ? returning id::text")) {
            st.setString(1, to);
            st.setString(2, toBucket);
            st.setObject(3, owner);
            st.setString(4, ownerId);
            st.setString(5, bucketId);
            st.setString(6, from);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * One level of the folder tree under {@code prefix}, as Supabase's storage.search: objects
     * directly under the prefix, and each deeper folder once as an entry whose id and dates are
     * null. {@code search} narrows names that start with it (case-insensitive). Name order
     * interleaves folders and files; other orders list folders first.
     */
    static String list(Connection c, String bucketId, String prefix, String search, int limit, int offset,
                       String column, boolean ascending) throws SQLException {
        String dir = ascending ? "asc" : "desc";
        String order = column.equals("name")
                ? "lower(name) collate \"C\" " + dir + ", name collate \"C\" " + dir
                : "folder desc, case when folder then name end collate \"C\" " + dir + ", " + column + " " + dir
                        + ", name collate \"C\" " + dir;
        String sql = "with matched as ("
                + " select id, updated_at, created_at, last_accessed_at, metadata, substr(name, ?) as rest"
                + " from storage.objects where bucket_id = ? and name ilike ? escape '\\'),"
                + " entries as ("
                + " select split_part(rest, '/', 1) as name, null::uuid as id, null::timestamptz as updated_at,"
                + " null::timestamptz as created_at, null::timestamptz as last_accessed_at, null::jsonb as metadata, true as folder"
                + " from matched where strpos(rest, '/') > 0 group by 1"
                + " union all"
                + " select rest, id, updated_at, created_at, last_accessed_at, metadata, false"
                + " from matched where strpos(rest, '/') = 0)"
                + " select json_build_object('name', name, 'id', id, 'updated_at', updated_at, 'created_at', created_at,"
                + " 'last_accessed_at', last_accessed_at, 'metadata', metadata)::text"
                + " from entries order by " + order + " limit ? offset ?";
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setInt(1, prefix.length() + 1);
            st.setString(2, bucketId);
            st.setString(3, Http.likeEscape(prefix + search) + "%");
            st.setInt(4, limit);
            st.setInt(5, offset);
            return Http.jsonArray(st);
        }
    }
}
