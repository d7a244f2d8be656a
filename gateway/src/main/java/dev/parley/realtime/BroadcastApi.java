package dev.parley.realtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.GatewayContext;
import dev.parley.auth.Caller;
import dev.parley.http.ApiError;
import dev.parley.http.Json;
import dev.parley.http.RequestBody;
import dev.parley.http.SqlErrors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * POST /realtime/v1/api/broadcast, Supabase's broadcast over HTTP (realtime-js's {@code httpSend}
 * and its fallback when the socket is down): {@code {"messages": [{topic, event, payload, private}]}},
 * answered 202 with no body. A private message needs the caller's INSERT policies on
 * realtime.messages to admit it (checked per topic); the whole request is refused (403) when any
 * message is not allowed, and nothing is sent then.
 *
 * <p>Also POST /realtime/v1/api/broadcast/{topic}/events/{event}[?private=true], the one-message form
 * realtime-js 2.1xx's {@code httpSend} posts to: the body is the payload itself (a JSON object), and
 * the answer is the same 202. Stored messages ({@code persist}) and binary payloads are refused
 * with a 400 / 415 that says so: Parley does not keep broadcasts and relays HTTP payloads as JSON.
 */
final class BroadcastApi implements HttpHandler {
    private final RealtimeNode node;
    private final GatewayContext ctx;

    BroadcastApi(RealtimeNode node, GatewayContext ctx) {
        this.node = node;
        this.ctx = ctx;
    }

    private record Item(String topic, String event, JsonNode payload, boolean isPrivate) {
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
            throw new ApiError(405, "PGRST117", "Unsupported HTTP method: " + exchange.getRequestMethod());
        }
        Caller caller = ctx.authenticator().authenticate(exchange);
        List<Item> items = exchange.getRelativePath().isEmpty() || exchange.getRelativePath().equals("/")
                ? messagesOf(exchange) : List.of(singleOf(exchange));
        try {
            for (Item it : items) {
                if (it.isPrivate() && !node.authorizer.authorize(it.topic(), caller).broadcastWrite()) {
                    throw new ApiError(403, "42501", "You do not have permission to broadcast to topic " + it.topic(), null,
                            "add an INSERT policy on realtime.messages for this topic");
                }
            }
            for (Item it : items) node.broadcasts.fromApi(it.topic(), it.isPrivate(), it.event(), it.payload());
        } catch (SQLException e) {
            // the gateway's one map: no connection is 503 PGRST000 (504 PGRST003 when all are busy), a
            // failing topic policy keeps its own SQLSTATE's status rather than passing for an outage
            throw SqlErrors.toApiError(e, caller.role());
        }
        exchange.setStatusCode(202);
        exchange.endExchange();
    }

    /** {@code /{topic}/events/{event}} below /api/broadcast, parsed from the raw (still encoded) URI. */
    private Item singleOf(HttpServerExchange exchange) throws IOException {
        String uri = exchange.getRequestURI();
        String rest = uri.substring(uri.indexOf("/api/broadcast/") + "/api/broadcast/".length());
        String[] parts = rest.split("/", -1);
        if (parts.length != 3 || !parts[1].equals("events") || parts[0].isEmpty() || parts[2].isEmpty()) {
            throw new ApiError(404, "PGRST125", "Not found: use /api/broadcast or /api/broadcast/{topic}/events/{event}", null, null);
        }
        String topic = decode(parts[0]);
        String event = decode(parts[2]);
        if (exchange.getQueryParameters().keySet().stream().anyMatch(k -> k.startsWith("persist"))) {
            throw ApiError.badRequest("PGRST102", "Stored broadcast messages (persist) are not supported", null);
        }
        String pr = exchange.getQueryParameters().containsKey("private")
                ? exchange.getQueryParameters().get("private").getFirst() : "false";
        if (!pr.equals("true") && !pr.equals("false")) throw ApiError.badRequest("PGRST102", "private must be true or false", null);
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "PGRST107", "The payload must be application/json", "got " + type, null);
        }
        JsonNode payload = readJson(exchange);
        if (payload == null || !payload.isObject()) throw ApiError.badRequest("PGRST102", "The payload must be a JSON object", null);
        if (topic.startsWith(Topics.PREFIX)) topic = topic.substring(Topics.PREFIX.length());
        return new Item(topic, event, payload, pr.equals("true"));
    }

    private static String decode(String part) {
        try {
            return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("PGRST102", "Bad percent-encoding in the path", null);
        }
    }

    private JsonNode readJson(HttpServerExchange exchange) throws IOException {
        try {
            return Json.MAPPER.readTree(RequestBody.read(exchange, node.settings.maxPayloadBytes()));
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("PGRST102", "Invalid JSON body", e.getOriginalMessage());
        }
    }

    /** {@code {"messages": [...]}}, the batch form. */
    private List<Item> messagesOf(HttpServerExchange exchange) throws IOException {
        JsonNode body = readJson(exchange);
        JsonNode messages = body == null ? null : body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiError.badRequest("PGRST102", "Body must be {\"messages\": [{\"topic\", \"event\", \"payload\"}, ...]}", null);
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) throw ApiError.badRequest("PGRST102", at + " must be an object", null);
            if (!m.path("topic").isTextual() || m.get("topic").asText().isEmpty()) {
                throw ApiError.badRequest("PGRST102", at + ".topic must be a non-empty string", null);
            }
            if (!m.path("event").isTextual()) throw ApiError.badRequest("PGRST102", at + ".event must be a string", null);
            JsonNode payload = m.get("payload");
            if (payload == null || !payload.isObject()) throw ApiError.badRequest("PGRST102", at + ".payload must be an object", null);
            JsonNode pr = m.get("private");
            if (pr != null && !pr.isNull() && !pr.isBoolean()) throw ApiError.badRequest("PGRST102", at + ".private must be true or false", null);
            String topic = m.get("topic").asText();
            if (topic.startsWith(Topics.PREFIX)) topic = topic.substring(Topics.PREFIX.length());
            items.add(new Item(topic, m.get("event").asText(), payload, pr != null && pr.asBoolean()));
        }
        return items;
    }
}
