package dev.parley.rest.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.http.ApiError;
import dev.parley.http.Json;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The status and headers a function may choose for its response, as in PostgREST, by setting
 * {@code response.status} (e.g. {@code '201'}) and {@code response.headers} (a JSON array of
 * one-key objects, e.g. {@code [{"Cache-Control": "max-age=60"}]}) transaction-locally. Read in
 * the call's transaction after the call; a malformed value is PostgREST's 500 PGRST111/112.
 */
public record ResponseSettings(Integer status, List<Map.Entry<String, String>> headers) {
    private static final String READ = "select current_setting('response.status', true), current_setting('response.headers', true)";

    public static ResponseSettings read(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(READ); ResultSet rs = st.executeQuery()) {
            rs.next();
            return new ResponseSettings(status(rs.getString(1)), headers(rs.getString(2)));
        }
    }

    private static Integer status(String text) {
        if (text == null || text.isEmpty()) return null;
        try {
            int s = Integer.parseInt(text.trim());
            if (s >= 100 && s <= 599) return s;
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new ApiError(500, "PGRST112", "response.status guc must be a valid status code");
    }

    private static List<Map.Entry<String, String>> headers(String text) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (text == null || text.isEmpty()) return out;
        try {
            JsonNode doc = Json.MAPPER.readTree(text);
            if (doc == null || !doc.isArray()) throw invalidHeaders();
            for (JsonNode h : doc) {
                if (!h.isObject() || h.size() != 1) throw invalidHeaders();
                Map.Entry<String, JsonNode> e = h.fields().next();
                if (!e.getValue().isTextual()) throw invalidHeaders();
                out.add(Map.entry(e.getKey(), e.getValue().asText()));
            }
        } catch (IOException e) {
            throw invalidHeaders();
        }
        return out;
    }

    private static ApiError invalidHeaders() {
        return new ApiError(500, "PGRST111",
                "response.headers guc must be a JSON array composed of objects with a single key and a string value");
    }

    /** The status to answer with: the function's choice, else {@code standard}. */
    public int statusOr(int standard) {
        return status == null ? standard : status;
    }

    /** Sets the chosen headers, replacing the gateway's own of the same name. */
    public void applyHeaders(HttpServerExchange exchange) {
        for (Map.Entry<String, String> h : headers) exchange.getResponseHeaders().remove(h.getKey());
        for (Map.Entry<String, String> h : headers) {
            exchange.getResponseHeaders().add(HttpString.tryFromString(h.getKey()), h.getValue());
        }
    }
}
