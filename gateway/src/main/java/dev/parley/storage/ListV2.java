package dev.parley.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.http.Json;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * POST /object/list-v2/{bucket}, Supabase's cursor-paged listing (supabase-js's {@code listV2}):
 * {@code {prefix, limit (<= 1000), cursor, with_delimiter, sortBy: {column, order}}} answers
 * {@code {hasNext, nextCursor, folders, objects}} with full names. Pages are keyset-paged on the
 * name (or on the sort column, then the name), so rows added meanwhile never shift a page. With
 * a delimiter, each sub-folder is one entry "prefix/folder/" and ordering is by name. The cursor
 * is Supabase's: base64 of "l:<last name>\no:<order>\nc:<column>\na:<last column value>".
 * Runs as the caller: RLS decides what is listed.
 */
final class ListV2 {
    private static final int MAX = 1000;
    private static final Set<String> COLUMNS = Set.of("name", "created_at", "updated_at");
    private static final Pattern CURSOR_PART = Pattern.compile("^([loca]):(.*)$", Pattern.DOTALL);

    private ListV2() {
    }

    record Options(String prefix, int limit, boolean delimiter, String column, boolean ascending, String afterName, String afterValue) {
    }

    static Options parse(JsonNode body) {
        String prefix = Http.text(body, "prefix");
        JsonNode l = body.get("limit");
        int limit = MAX;
        if (l != null && !l.isNull()) {
            if (!l.isIntegralNumber() || l.asLong() < 1) throw StorageError.invalidRequest("limit must be an integer >= 1");
            limit = (int) Math.min(l.asLong(), MAX);
        }
        boolean delimiter = body.path("with_delimiter").asBoolean(false);
        String column = body.path("sortBy").path("column").asText("name");
        String order = body.path("sortBy").path("order").asText("asc");
        String afterName = null;
        String afterValue = null;
        String cursor = Http.text(body, "cursor");
        if (cursor != null && !cursor.isEmpty()) {
            Map<String, String> parts = decode(cursor);
            afterName = parts.get("l");
            if (parts.containsKey("o")) order = parts.get("o");
            if (parts.containsKey("c")) column = parts.get("c");
            afterValue = parts.get("a");
        }
        if (!COLUMNS.contains(column)) throw StorageError.invalidRequest("sortBy.column must be one of " + COLUMNS);
        if (!order.equalsIgnoreCase("asc") && !order.equalsIgnoreCase("desc")) {
            throw StorageError.invalidRequest("sortBy.order must be asc or desc");
        }
        if (delimiter) column = "name";
        return new Options(prefix == null ? "" : prefix, limit, delimiter, column, order.equalsIgnoreCase("asc"), afterName, afterValue);
    }

    static String run(Connection c, String bucketId, Options o) throws SQLException {
        String dir = o.ascending() ? "asc" : "desc";
        String cmp = o.ascending() ? ">" : "<";
        boolean byColumn = !o.column().equals("name");
        String sql;
        if (o.delimiter()) {
            sql = "with m as (select id, name, metadata, updated_at, created_at, last_accessed_at, strpos(substr(name, ?), '/') as slash"
                    + " from storage.objects where bucket_id = ? and name like ? escape '\\'),"
                    + " e as (select left(name, ? + slash) as entry, true as folder, null::uuid as id, null::jsonb as metadata,"
                    + " null::timestamptz as updated_at, null::timestamptz as created_at, null::timestamptz as last_accessed_at"
                    + " from m where slash > 0 group by 1"
                    + " union all select name, false, id, metadata, updated_at, created_at, last_accessed_at from m where slash = 0)"
                    + " select case when folder then json_build_object('name', entry, 'key', entry)::text else json_build_object("
                    + "'id', id, 'name', entry, 'key', entry, 'metadata', metadata, 'updated_at', updated_at, 'created_at', created_at,"
                    + " 'last_accessed_at', last_accessed_at)::text end, entry, null::text, folder from e"
                    + (o.afterName() != null ? " where entry collate \"C\" " + cmp + " ?" : "")
                    + " order by entry collate \"C\" " + dir + " limit ?";
        } else {
            String keyset = byColumn && o.afterValue() != null
                    ? " and (" + o.column() + ", name collate \"C\") " + cmp + " (?::timestamptz, ?)"
                    : o.afterName() != null ? " and name collate \"C\" " + cmp + " ?" : "";
            sql = "select json_build_object('id', id, 'name', name, 'key', name, 'metadata', metadata, 'updated_at', updated_at,"
                    + " 'created_at', created_at, 'last_accessed_at', last_accessed_at)::text, name, "
                    + (byColumn ? "to_json(" + o.column() + ")#>>'{}'" : "null::text") + ", false"
                    + " from storage.objects where bucket_id = ? and name like ? escape '\\'" + keyset
                    + " order by " + (byColumn ? o.column() + " " + dir + ", " : "") + "name collate \"C\" " + dir + " limit ?";
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode folders = Json.MAPPER.createArrayNode();
        ArrayNode objects = Json.MAPPER.createArrayNode();
        String lastName = null;
        String lastValue = null;
        boolean hasNext = false;
        try (PreparedStatement st = c.prepareStatement(sql)) {
            int i = 1;
            if (o.delimiter()) {
                st.setInt(i++, o.prefix().length() + 1);
                st.setString(i++, bucketId);
                st.setString(i++, Http.likeEscape(o.prefix()) + "%");
                st.setInt(i++, o.prefix().length());
                if (o.afterName() != null) st.setString(i++, o.afterName());
            } else {
                st.setString(i++, bucketId);
                st.setString(i++, Http.likeEscape(o.prefix()) + "%");
                if (byColumn && o.afterValue() != null) {
                    st.setString(i++, o.afterValue());
                    st.setString(i++, o.afterName() == null ? "" : o.afterName());
                } else if (o.afterName() != null) {
                    st.setString(i++, o.afterName());
                }
            }
            st.setInt(i, o.limit() + 1);
            try (ResultSet rs = st.executeQuery()) {
                int n = 0;
                while (rs.next()) {
                    if (++n > o.limit()) {
                        hasNext = true;
                        break;
                    }
                    JsonNode entry = Json.MAPPER.readTree(rs.getString(1));
                    (rs.getBoolean(4) ? folders : objects).add(entry);
                    lastName = rs.getString(2);
                    lastValue = rs.getString(3);
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        out.put("hasNext", hasNext);
        if (hasNext) {
            out.put("nextCursor", encode(lastName, o.ascending() ? "asc" : "desc", o.column(), lastValue));
            out.put("nextCursorKey", lastName);
        }
        out.set("folders", folders);
        out.set("objects", objects);
        return out.toString();
    }

    private static String encode(String name, String order, String column, String value) {
        StringBuilder b = new StringBuilder("l:").append(name).append("\no:").append(order).append("\nc:").append(column);
        if (value != null && !column.equals("name")) b.append("\na:").append(value);
        return Base64.getEncoder().encodeToString(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> decode(String cursor) {
        Map<String, String> parts = new LinkedHashMap<>();
        String text;
        try {
            text = new String(Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw StorageError.invalidRequest("Invalid Parameter continuation token");
        }
        for (String part : text.split("\n")) {
            Matcher m = CURSOR_PART.matcher(part);
            if (!m.matches()) throw StorageError.invalidRequest("Invalid Parameter continuation token");
            parts.put(m.group(1), m.group(2));
        }
        return parts;
    }
}
