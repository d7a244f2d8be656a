package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;

/**
 * One postgres_changes subscription of a channel: which events of which table, and a filter. The
 * join reply echoes event, schema, table and filter exactly as sent, since realtime-js matches its
 * bindings to the reply field by field.
 */
record ChangeSpec(String event, String schema, String table, String filter, ChangeFilter parsed, int id) {
    static ChangeSpec parse(JsonNode n, int index) throws JoinConfig.InvalidJoin {
        String at = "config.postgres_changes[" + index + "]";
        if (n == null || !n.isObject()) throw new JoinConfig.InvalidJoin(at + " must be an object");
        String event = text(n, "event", at);
        if (event == null) throw new JoinConfig.InvalidJoin(at + ".event is required (INSERT, UPDATE, DELETE or *)");
        String upper = event.toUpperCase(Locale.ROOT);
        if (!upper.equals("*") && !upper.equals("INSERT") && !upper.equals("UPDATE") && !upper.equals("DELETE")) {
            throw new JoinConfig.InvalidJoin(at + ".event must be INSERT, UPDATE, DELETE or *, got '" + event + "'");
        }
        String schema = text(n, "schema", at);
        if (schema == null || schema.isEmpty()) throw new JoinConfig.InvalidJoin(at + ".schema is required");
        String table = text(n, "table", at);
        String filter = text(n, "filter", at);
        ChangeFilter parsed = ChangeFilter.parse(filter);
        // A stable id per distinct subscription, as Supabase derives one from the parameters.
        int id = (event + "|" + schema + "|" + table + "|" + filter).hashCode() & 0x3fffffff;
        return new ChangeSpec(event, schema, table, filter, parsed, id);
    }

    boolean matches(String s, String t, String op) {
        if (!schema.equals("*") && !schema.equals(s)) return false;
        if (table != null && !table.equals("*") && !table.equals(t)) return false;
        return event.equals("*") || event.equalsIgnoreCase(op);
    }

    ObjectNode toReply() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", id);
        o.put("event", event);
        o.put("schema", schema);
        if (table != null) o.put("table", table);
        if (filter != null) o.put("filter", filter);
        return o;
    }

    private static String text(JsonNode n, String name, String at) throws JoinConfig.InvalidJoin {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new JoinConfig.InvalidJoin(at + "." + name + " must be a string");
        return v.asText();
    }
}
