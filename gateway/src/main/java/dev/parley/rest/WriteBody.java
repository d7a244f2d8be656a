package dev.parley.rest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.parley.http.ApiError;
import dev.parley.http.Json;
import dev.parley.http.RequestBody;
import io.undertow.server.HttpServerExchange;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The JSON body of a write: one object or an array of objects, with the keys they name. The
 * body size is bounded (413); anything but JSON objects is a 400 (PGRST102), another content
 * type a 415.
 */
record WriteBody(ArrayNode rows, List<String> keys, boolean wasArray) {
    /** Refuses trailing content ({@code {..}{..}}), which a lenient reader would silently drop. */
    private static final ObjectReader STRICT = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static WriteBody read(HttpServerExchange exchange, long limit) {
        return read(exchange, limit, true);
    }

    /**
     * The body; {@code keysMustMatch} false when the {@code columns} parameter names the columns,
     * so objects may each hold some of them (and other keys, ignored), as PostgREST allows.
     */
    static WriteBody read(HttpServerExchange exchange, long limit, boolean keysMustMatch) {
        String type = RequestBody.mediaType(exchange);
        if (!type.isEmpty() && !type.equals("application/json")) {
            throw new ApiError(415, "PGRST107", "Content-Type not acceptable: " + type,
                    "Send the body as application/json", null);
        }
        byte[] bytes = RequestBody.read(exchange, limit);
        JsonNode doc;
        try {
            doc = STRICT.readTree(bytes);
        } catch (IOException e) {
            throw invalid("the body is not valid JSON");
        }
        if (doc == null || doc.isMissingNode()) throw invalid("the body is empty");
        ArrayNode rows = Json.MAPPER.createArrayNode();
        boolean wasArray = doc.isArray();
        if (doc.isObject()) {
            rows.add(doc);
        } else if (wasArray) {
            for (JsonNode element : doc) {
                if (!element.isObject()) throw invalid("every element of the array must be an object");
                rows.add(element);
            }
        } else {
            throw invalid("the body must be a JSON object or an array of objects");
        }
        return new WriteBody(rows, keysMustMatch ? keysOf(rows) : List.of(), wasArray);
    }

    /** The keys of the first object; every other object must have the same (PostgREST's rule). */
    private static List<String> keysOf(ArrayNode rows) {
        if (rows.isEmpty()) return List.of();
        Set<String> first = names(rows.get(0));
        for (JsonNode row : rows) {
            if (!names(row).equals(first)) {
                throw new ApiError(400, "PGRST102", "All object keys must match", null, null);
            }
        }
        return new ArrayList<>(first);
    }

    private static Set<String> names(JsonNode row) {
        Set<String> out = new LinkedHashSet<>();
        for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    static ApiError invalid(String details) {
        return new ApiError(400, "PGRST102", "Empty or invalid json", details, null);
    }

    String json() {
        return Json.write(rows);
    }
}
