package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.GatewayContext;
import dev.parley.auth.Caller;
import dev.parley.http.ApiError;
import dev.parley.http.Json;
import dev.parley.http.RequestBody;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * POST /realtime/v1/api/broadcast, Supabase's broadcast over HTTP (realtime-js's {@code httpSend}
 * and its fallback when the socket is down): {@code {"messages": [{topic, event, payload, private}]}},
 * answered 202 with no body. A private message needs the caller's INSERT policies on
 * realtime.messages to admit it (checked per topic); the whole request is refused (403) when any
 * message is not allowed, and nothing is sent then.
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
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(RequestBody.read(exchange, node.settings.maxPayloadBytes()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiError.badRequest("PGRST102", "Invalid JSON body", e.getOriginalMessage());
        }
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
        try {
            for (Item it : items) {
                if (it.isPrivate() && !node.authorizer.authorize(it.topic(), caller).broadcastWrite()) {
                    throw new ApiError(403, "42501", "You do not have permission to broadcast to topic " + it.topic(), null,
                            "add an INSERT policy on realtime.messages for this topic");
                }
            }
            for (Item it : items) node.broadcasts.fromApi(it.topic(), it.isPrivate(), it.event(), it.payload());
        } catch (SQLException e) {
            throw new ApiError(503, "PGRST000", "Realtime could not reach the database", e.getMessage(), null);
        }
        exchange.setStatusCode(202);
        exchange.endExchange();
    }
}
