package dev.parley.realtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Join payloads exactly as realtime-js 2.x builds them (RealtimeChannel.subscribe): config with
 * broadcast {ack, self}, presence {key, enabled}, postgres_changes (the bindings' filters) and
 * private, plus access_token when the client has one. Tests add Parley's resume on top.
 */
final class JoinPayloads {
    final ObjectNode payload = JsonNodeFactory.instance.objectNode();
    final ObjectNode config = payload.putObject("config");
    final ObjectNode broadcast = config.putObject("broadcast");
    final ObjectNode presence = config.putObject("presence");
    final ArrayNode changes;

    private JoinPayloads() {
        broadcast.put("ack", false).put("self", false);
        presence.put("key", "").put("enabled", false);
        changes = config.putArray("postgres_changes");
        config.put("private", false);
    }

    static JoinPayloads realtimeJs() {
        return new JoinPayloads();
    }

    JoinPayloads token(String t) {
        payload.put("access_token", t);
        return this;
    }

    JoinPayloads self() {
        broadcast.put("self", true);
        return this;
    }

    JoinPayloads ack() {
        broadcast.put("ack", true);
        return this;
    }

    JoinPayloads isPrivate() {
        config.put("private", true);
        return this;
    }

    JoinPayloads presence(String key) {
        presence.put("key", key).put("enabled", true);
        return this;
    }

    JoinPayloads changes(String event, String schema, String table, String filter) {
        ObjectNode c = changes.addObject();
        c.put("event", event).put("schema", schema);
        if (table != null) c.put("table", table);
        if (filter != null) c.put("filter", filter);
        return this;
    }

    JoinPayloads resume(String position) {
        config.putObject("resume").put("position", position);
        return this;
    }

    ObjectNode build() {
        JoinSchema.assertValid(payload);
        return payload;
    }
}
