package dev.parley.rest.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.http.ApiError;
import dev.parley.http.Json;
import dev.parley.http.RequestBody;
import dev.parley.rest.query.FilterParser;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The arguments of a function call as PostgREST takes them from a request:
 * <ul>
 * <li>GET and HEAD: query parameters whose value is not a filter ({@code ?a=1} is an argument,
 * {@code ?a=gt.1} a filter on the result); a repeated name gives a variadic parameter all its
 * values and any other parameter the last one;</li>
 * <li>POST with {@code application/x-www-form-urlencoded}: the form fields, the same way;</li>
 * <li>POST with JSON (the default): the keys of the object (of the first object of an array; the
 * {@code columns} parameter narrows them), the document itself bound once;</li>
 * <li>POST with {@code text/plain}, {@code text/xml} or {@code application/octet-stream}: the raw
 * body, for a function with one unnamed {@code text}, {@code xml} or {@code bytea} parameter.</li>
 * </ul>
 *
 * @param keys      the argument names, sorted (the order PostgREST's messages use)
 * @param direct    GET/form values per name, in arrival order; null for a body call
 * @param json      the JSON document of a JSON POST; null otherwise
 * @param raw       the raw body of a text/xml/octet-stream POST; null otherwise
 * @param bodyType  the body's kind, which decides which single-unnamed-parameter function fits
 * @param filters   the query parameters that are not arguments: filters, select, order, paging
 */
public record RpcArguments(Set<String> keys, Map<String, List<String>> direct, String json, byte[] raw,
                           BodyType bodyType, Map<String, Deque<String>> filters) {

    /** What the body was sent as; NONE for GET and HEAD. */
    public enum BodyType { NONE, JSON, FORM, TEXT, XML, OCTET_STREAM }

    /** Query parameters that never name an argument. */
    private static final Set<String> RESERVED = Set.of("select", "order", "limit", "offset", "columns",
            "on_conflict", "or", "and", "not.or", "not.and", "apikey");

    public boolean isPost() {
        return bodyType != BodyType.NONE;
    }

    public static RpcArguments of(HttpServerExchange exchange, long maxBody) {
        Map<String, Deque<String>> query = exchange.getQueryParameters();
        boolean reading = exchange.getRequestMethod().equals(Methods.GET) || exchange.getRequestMethod().equals(Methods.HEAD);
        if (reading) return fromQuery(query);
        String type = RequestBody.mediaType(exchange);
        return switch (type) {
            case "", "application/json" -> fromJson(query, RequestBody.read(exchange, maxBody));
            case "application/x-www-form-urlencoded" -> fromForm(query, RequestBody.read(exchange, maxBody));
            case "text/plain" -> rawBody(query, RequestBody.read(exchange, maxBody), BodyType.TEXT);
            case "text/xml" -> rawBody(query, RequestBody.read(exchange, maxBody), BodyType.XML);
            case "application/octet-stream" -> rawBody(query, RequestBody.read(exchange, maxBody), BodyType.OCTET_STREAM);
            // PostgREST answers an unusable body type as an invalid body: 400, PGRST102.
            default -> throw ApiError.badRequest("PGRST102", "Content-Type not acceptable: " + type, null);
        };
    }

    private static RpcArguments fromQuery(Map<String, Deque<String>> query) {
        Map<String, List<String>> args = new LinkedHashMap<>();
        Map<String, Deque<String>> filters = new LinkedHashMap<>();
        for (Map.Entry<String, Deque<String>> e : query.entrySet()) {
            for (String value : e.getValue()) {
                if (isArgument(e.getKey(), value)) {
                    args.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(value);
                } else {
                    filters.computeIfAbsent(e.getKey(), k -> new ArrayDeque<>()).add(value);
                }
            }
        }
        return new RpcArguments(new TreeSet<>(args.keySet()), args, null, null, BodyType.NONE, filters);
    }

    /**
     * PostgREST's rule: a plain name whose value does not parse as {@code [not.]op.value} is an
     * argument, so {@code ?id=5&id=gt.2} passes 5 and filters the result on id > 2.
     */
    private static boolean isArgument(String key, String value) {
        if (RESERVED.contains(key) || key.contains(".") || key.contains("->")) return false;
        try {
            FilterParser.parseFilter(key, value);
            return false;
        } catch (ApiError notAFilter) {
            return true;
        }
    }

    private static RpcArguments fromForm(Map<String, Deque<String>> query, byte[] body) {
        Map<String, List<String>> args = new LinkedHashMap<>();
        String text = new String(body, StandardCharsets.UTF_8);
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            args.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return new RpcArguments(new TreeSet<>(args.keySet()), args, null, null, BodyType.FORM, query);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("PGRST102", "Empty or invalid form body", e.getMessage());
        }
    }

    /**
     * A JSON body. An empty body is {@code {}}; an array of objects must share its keys and only
     * its first object is used (as PostgREST); any other document (a scalar, an empty array) names
     * no argument and reaches a single-json-parameter function as {@code []}.
     */
    private static RpcArguments fromJson(Map<String, Deque<String>> query, byte[] body) {
        Deque<String> columns = query.get("columns");
        String text = new String(body, StandardCharsets.UTF_8);
        if (columns != null && !columns.isEmpty()) {
            Set<String> keys = new TreeSet<>();
            for (String c : columns.getLast().split(",", -1)) {
                String name = c.trim();
                if (name.isEmpty()) throw ApiError.badRequest("PGRST100", "\"failed to parse columns parameter (" + columns.getLast() + ")\"", "empty column name");
                keys.add(name);
            }
            if (text.isBlank()) text = "{}";
            return new RpcArguments(keys, null, text, null, BodyType.JSON, query);
        }
        if (text.isBlank()) return new RpcArguments(new TreeSet<>(), null, "{}", null, BodyType.JSON, query);
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw ApiError.badRequest("PGRST102", "Empty or invalid json", null);
        }
        if (doc == null || doc.isMissingNode()) throw ApiError.badRequest("PGRST102", "Empty or invalid json", null);
        if (doc.isObject()) return new RpcArguments(new TreeSet<>(names(doc)), null, text, null, BodyType.JSON, query);
        if (doc.isArray() && !doc.isEmpty()) {
            Set<String> first = doc.get(0).isObject() ? names(doc.get(0)) : null;
            for (JsonNode element : doc) {
                if (first == null || !element.isObject() || !names(element).equals(first)) {
                    throw ApiError.badRequest("PGRST102", "All object keys must match", null);
                }
            }
            return new RpcArguments(new TreeSet<>(first), null, text, null, BodyType.JSON, query);
        }
        return new RpcArguments(new TreeSet<>(), null, "[]", null, BodyType.JSON, query);
    }

    private static RpcArguments rawBody(Map<String, Deque<String>> query, byte[] body, BodyType type) {
        return new RpcArguments(new TreeSet<>(), null, null, body, type, query);
    }

    private static Set<String> names(JsonNode object) {
        Set<String> out = new LinkedHashSet<>();
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }
}
