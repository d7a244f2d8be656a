package dev.parley.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error a database function raised with {@code SQLSTATE 'PGRST'} to choose the whole HTTP
 * answer, as PostgREST allows: the MESSAGE is a JSON object with {@code code}, {@code message}
 * and optional {@code details}, {@code hint} (the body), the DETAIL a JSON object with
 * {@code status}, optional {@code status_text} and {@code headers} (added to the response).
 * A malformed one is PostgREST's 500 PGRST121 saying which part is wrong.
 */
public final class RaisedError extends ApiError {
    private static final String MESSAGE_HINT =
            "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.";
    private static final String DETAIL_HINT =
            "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.";
    private static final String PARSE_ERROR = "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error";

    private final String statusText;
    private final Map<String, String> headers;

    private RaisedError(int status, String code, String message, String details, String hint, String statusText,
                        Map<String, String> headers) {
        super(status, code, message, details, hint);
        this.statusText = statusText;
        this.headers = headers;
    }

    /** The error a {@code RAISE SQLSTATE 'PGRST'} stands for, from its message and detail. */
    static ApiError of(String messageJson, String detailJson) {
        JsonNode message = object(messageJson);
        if (message == null || !message.path("code").isTextual() || !message.path("message").isTextual()
                || !optionalText(message, "details") || !optionalText(message, "hint")) {
            return new ApiError(500, "PGRST121", PARSE_ERROR, "Invalid JSON value for MESSAGE: '" + messageJson + "'", MESSAGE_HINT);
        }
        if (detailJson == null) {
            return new ApiError(500, "PGRST121", PARSE_ERROR, "DETAIL is missing in the RAISE statement", DETAIL_HINT);
        }
        JsonNode detail = object(detailJson);
        Map<String, String> headers = new LinkedHashMap<>();
        boolean valid = detail != null && detail.path("status").canConvertToInt() && detail.path("status").isIntegralNumber()
                && detail.path("headers").isObject() && optionalText(detail, "status_text");
        if (valid) {
            int status = detail.get("status").asInt();
            valid = status >= 100 && status <= 599;
            for (Iterator<Map.Entry<String, JsonNode>> it = detail.get("headers").fields(); valid && it.hasNext(); ) {
                Map.Entry<String, JsonNode> h = it.next();
                valid = h.getValue().isTextual();
                if (valid) headers.put(h.getKey(), h.getValue().asText());
            }
        }
        if (!valid) {
            return new ApiError(500, "PGRST121", PARSE_ERROR, "Invalid JSON value for DETAIL: '" + detailJson + "'", DETAIL_HINT);
        }
        return new RaisedError(detail.get("status").asInt(), message.get("code").asText(), message.get("message").asText(),
                text(message, "details"), text(message, "hint"), text(detail, "status_text"), headers);
    }

    /** Sets the chosen headers and reason phrase on the response. */
    void apply(HttpServerExchange exchange) {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            exchange.getResponseHeaders().put(HttpString.tryFromString(h.getKey()), h.getValue());
        }
        if (statusText != null) exchange.setReasonPhrase(statusText);
    }

    private static JsonNode object(String json) {
        if (json == null) return null;
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean optionalText(JsonNode o, String key) {
        return !o.has(key) || o.get(key).isTextual() || o.get(key).isNull();
    }

    private static String text(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
