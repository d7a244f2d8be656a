package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.http.Json;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * An event of realtime.events: a row change of a published table or a committed realtime.send,
 * with its commit-ordered position. {@code data} is null for a notification that carried only a
 * pointer (too large for NOTIFY); it is then read from the table.
 */
record DbEvent(long position, String kind, String committedAt, String schema, String table, String op,
               String topic, String event, boolean isPrivate, JsonNode data) {

    static final String COLUMNS = "position, kind, committed_at, schema_name, table_name, op, topic, event, "
            + "coalesce(private, false), payload::text";
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    boolean isChange() {
        return kind.equals("change");
    }

    /** From a NOTIFY payload of V10's realtime.announce. */
    static DbEvent fromNotification(String payload) throws java.io.IOException {
        JsonNode n = Json.MAPPER.readTree(payload);
        JsonNode d = n.has("big") ? null : n.get("d");
        return new DbEvent(Long.parseLong(n.get("p").asText()), n.get("k").asText(), n.path("ts").asText(),
                n.path("s").asText(null), n.path("t").asText(null), n.path("o").asText(null),
                n.path("tp").asText(null), n.path("e").asText(null), n.path("pr").asBoolean(), d);
    }

    /** From a row selected with {@link #COLUMNS}. */
    static DbEvent fromRow(ResultSet rs) throws SQLException {
        JsonNode data;
        try {
            String text = rs.getString(10);
            data = text == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new SQLException("unreadable event payload", e);
        }
        return new DbEvent(rs.getLong(1), rs.getString(2),
                rs.getObject(3, java.time.OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC).format(TS),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getBoolean(9), data);
    }

    DbEvent withData(JsonNode d) {
        return new DbEvent(position, kind, committedAt, schema, table, op, topic, event, isPrivate, d);
    }
}
