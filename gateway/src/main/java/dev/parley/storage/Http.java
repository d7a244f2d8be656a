package dev.parley.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.http.Json;
import dev.parley.http.RequestBody;
import io.undertow.server.HttpServerExchange;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Deque;
import java.util.UUID;

/** Small request and response helpers shared by the storage routes. */
final class Http {
    /** JSON bodies of storage requests are small (paths, options); file bytes never come this way. */
    static final long MAX_JSON_BODY = 1024 * 1024;

    private Http() {
    }

    static String param(HttpServerExchange ex, String name) {
        Deque<String> values = ex.getQueryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    static int intParam(HttpServerExchange ex, String name, int fallback, int min) {
        String v = param(ex, name);
        if (v == null || v.isEmpty()) return fallback;
        try {
            int n = Integer.parseInt(v);
            if (n < min) throw StorageError.invalidRequest(name + " must be at least " + min);
            return n;
        } catch (NumberFormatException e) {
            throw StorageError.invalidRequest(name + " must be an integer");
        }
    }

    /** The request's JSON object; an empty body is {} when {@code allowEmpty}. */
    static JsonNode jsonBody(HttpServerExchange ex, boolean allowEmpty) {
        String text = RequestBody.readString(ex, MAX_JSON_BODY);
        if (text.isBlank()) {
            if (allowEmpty) return JsonNodeFactory.instance.objectNode();
            throw StorageError.invalidRequest("body must be a JSON object");
        }
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            if (node == null || !node.isObject()) throw StorageError.invalidRequest("body must be a JSON object");
            return node;
        } catch (JsonProcessingException e) {
            throw StorageError.invalidRequest("body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** A string property, null when absent or null; a 400 when of another type. */
    static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw StorageError.invalidRequest(field + " must be a string");
        return n.asText();
    }

    static String requiredText(JsonNode body, String field) {
        String s = text(body, field);
        if (s == null) throw StorageError.invalidRequest("body must have required property '" + field + "'");
        return s;
    }

    static UUID uuidOrNull(String sub) {
        if (sub == null || sub.isEmpty()) return null;
        try {
            return UUID.fromString(sub);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * A value that will be sent back as a response header (cache control, content type): no
     * control characters (a CR/LF would let an uploader inject headers into every download) and
     * at most 1024 characters; a 400 otherwise.
     */
    static String headerValue(String field, String value) {
        if (value == null) return null;
        if (value.length() > 1024) throw StorageError.invalidRequest(field + " is too long");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) throw StorageError.invalidRequest(field + " must not contain control characters");
        }
        return value;
    }

    /** Escapes LIKE wildcards so user text matches literally (with {@code escape '\'}). */
    static String likeEscape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** Runs a query whose single column is a JSON text per row and joins the rows into an array. */
    static String jsonArray(PreparedStatement st) throws SQLException {
        StringBuilder out = new StringBuilder("[");
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                if (out.length() > 1) out.append(',');
                out.append(rs.getString(1));
            }
        }
        return out.append(']').toString();
    }

    static void sendJson(HttpServerExchange ex, int status, String json) {
        Json.sendRaw(ex, status, json);
    }

    static void sendJson(HttpServerExchange ex, int status, Object value) {
        Json.send(ex, status, value);
    }
}
