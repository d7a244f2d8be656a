package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Presence as Phoenix does it, across nodes. Every tracked presence is a row of
 * realtime.presences (node, topic, private, key, ref, meta); a change is written and announced
 * on the {@link Bus} as a {@code presence_diff} in one statement, so every node applies the same
 * diffs in the same order. A joining channel gets {@code presence_state} read from the table
 * after it registered for diffs (Phoenix clients merge a diff that is also in the state by
 * {@code phx_ref}). A socket's presences go when it closes or stops heartbeating; a node's go with
 * the node: the others remove the rows of a node that stopped refreshing realtime.nodes.
 *
 * <p>Shapes: state {@code {key: {metas: [{phx_ref, ...meta}]}}}, diff {@code {joins: state, leaves: state}};
 * an update of a tracked presence is a join with {@code phx_ref_prev} plus a leave of the old ref.
 */
final class Presence {
    private static final Logger log = LoggerFactory.getLogger(Presence.class);
    private final RealtimeNode node;
    private final DataSource admin;

    Presence(RealtimeNode node, DataSource admin) {
        this.node = node;
        this.admin = admin;
    }

    void handle(ChannelSession c, Message m) {
        JsonNode p = m.payload();
        String event = p == null ? "" : p.path("event").asText("");
        switch (event) {
            case "track" -> {
                JsonNode meta = p.get("payload");
                if (meta == null || !meta.isObject()) {
                    c.socket.replyError(m, "Presence track payload must be a map");
                    return;
                }
                if (!c.presenceWrite) {
                    c.socket.replyError(m, "Unauthorized: You do not have permissions to track presence on this Channel topic: " + c.subTopic);
                    return;
                }
                c.sends.execute(() -> run(c, m, () -> track(c, (ObjectNode) meta))); // in the order sent
            }
            case "untrack" -> c.sends.execute(() -> run(c, m, () -> untrackNow(c)));
            default -> c.socket.replyError(m, "presence events are track and untrack");
        }
    }

    private interface Work {
        void run() throws SQLException;
    }

    private void run(ChannelSession c, Message m, Work work) {
        try {
            work.run();
            if (m.ref() != null) c.socket.reply(c.joinRef, m.ref(), c.topic, "ok", JsonNodeFactory.instance.objectNode());
        } catch (SQLException e) {
            log.warn("presence on {} failed: {}", c.topic, e.getMessage());
            c.socket.replyError(m, "UnableToHandlePresence: the database could not be reached");
        }
    }

    private static String newRef() {
        byte[] b = new byte[9];
        ThreadLocalRandom.current().nextBytes(b);
        return "F" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private void track(ChannelSession c, ObjectNode meta) throws SQLException {
        synchronized (c) { // one presence change of a channel at a time
            trackLocked(c, meta);
        }
    }

    private void trackLocked(ChannelSession c, ObjectNode meta) throws SQLException {
        if (c.isClosed()) return;
        String old = c.presenceRef;
        String ref = newRef();
        ObjectNode joinMeta = meta.deepCopy();
        joinMeta.put("phx_ref", ref);
        if (old != null) joinMeta.put("phx_ref_prev", old);
        ObjectNode diff = diff();
        ((ObjectNode) diff.get("joins")).putObject(c.presenceKey).putArray("metas").add(joinMeta);
        try (Connection conn = admin.getConnection();
             PreparedStatement st = conn.prepareStatement(
                     "with gone as (delete from realtime.presences where node = ? and ref = ? returning key, ref, meta), "
                             + "ins as (insert into realtime.presences (node, topic, private, key, ref, meta) values (?, ?, ?, ?, ?, ?::jsonb)) "
                             + "select key, ref, meta::text from gone")) {
            st.setString(1, node.nodeId);
            st.setString(2, old == null ? "" : old);
            st.setString(3, node.nodeId);
            st.setString(4, c.subTopic);
            st.setBoolean(5, c.config.isPrivate());
            st.setString(6, c.presenceKey);
            st.setString(7, ref);
            st.setString(8, meta.toString());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) addMeta((ObjectNode) diff.get("leaves"), rs.getString(1), rs.getString(2), rs.getString(3));
            }
            c.presenceRef = ref;
            node.bus.publish(busDiff(c.key(), diff));
        }
        if (c.isClosed()) untrackLocked(c); // closed while tracking: do not leave a ghost
    }

    /** Removes a closed channel's presence (database executor). */
    void untrack(ChannelSession c) {
        if (c.presenceRef == null) return;
        node.db.execute(() -> {
            try {
                untrackNow(c);
            } catch (SQLException e) {
                log.warn("presence of {} not removed ({}); the node sweep removes it", c.topic, e.getMessage());
            }
        });
    }

    private void untrackNow(ChannelSession c) throws SQLException {
        synchronized (c) {
            untrackLocked(c);
        }
    }

    private void untrackLocked(ChannelSession c) throws SQLException {
        String ref = c.presenceRef;
        if (ref == null) return;
        ObjectNode diff = diff();
        try (Connection conn = admin.getConnection();
             PreparedStatement st = conn.prepareStatement(
                     "delete from realtime.presences where node = ? and ref = ? returning key, ref, meta::text")) {
            st.setString(1, node.nodeId);
            st.setString(2, ref);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) addMeta((ObjectNode) diff.get("leaves"), rs.getString(1), rs.getString(2), rs.getString(3));
            }
            c.presenceRef = null;
            if (!diff.get("leaves").isEmpty()) node.bus.publish(busDiff(c.key(), diff));
        }
    }

    /** The presence_state of a topic, from every node. */
    ObjectNode state(Topics.Key key) throws SQLException {
        ObjectNode state = JsonNodeFactory.instance.objectNode();
        try (Connection conn = admin.getConnection();
             PreparedStatement st = conn.prepareStatement(
                     "select key, ref, meta::text from realtime.presences where topic = ? and private = ? order by key, ref")) {
            st.setString(1, key.subTopic());
            st.setBoolean(2, key.isPrivate());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) addMeta(state, rs.getString(1), rs.getString(2), rs.getString(3));
            }
        }
        return state;
    }

    /** Removes every presence of nodes silent past the timeout (this one's at shutdown), announcing the leaves. */
    void sweep(String onlyNode) throws SQLException {
        String sql = onlyNode != null
                ? "delete from realtime.presences where node = ? returning topic, private, key, ref, meta::text"
                : "delete from realtime.presences p where not exists (select from realtime.nodes n where n.node = p.node "
                + "and n.seen_at > now() - make_interval(secs => ?)) returning topic, private, key, ref, meta::text";
        java.util.Map<Topics.Key, ObjectNode> diffs = new java.util.LinkedHashMap<>();
        try (Connection conn = admin.getConnection(); PreparedStatement st = conn.prepareStatement(sql)) {
            if (onlyNode != null) st.setString(1, onlyNode);
            else st.setLong(1, node.settings.nodeTimeout().toSeconds());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    ObjectNode d = diffs.computeIfAbsent(new Topics.Key(rs.getString(1), rs.getBoolean(2)), k -> diff());
                    addMeta((ObjectNode) d.get("leaves"), rs.getString(3), rs.getString(4), rs.getString(5));
                }
            }
        }
        for (var e : diffs.entrySet()) node.bus.publish(busDiff(e.getKey(), e.getValue()));
    }

    /** After the listener reconnected: diffs may have been missed, so every channel gets a fresh state. */
    void resendStates() {
        for (var set : node.topics.allTopics()) {
            for (ChannelSession c : set) {
                if (!c.config.presenceEnabled() || !c.presenceRead) continue;
                try {
                    c.push("presence_state", state(c.key()));
                } catch (SQLException e) {
                    log.warn("presence state of {} not resent: {}", c.topic, e.getMessage());
                }
            }
        }
    }

    /** A presence_diff from the bus, on the listener's thread. */
    void fromBus(ObjectNode bus) {
        Topics.Key key = new Topics.Key(bus.path("t").asText(), bus.path("pr").asBoolean());
        Outbound out = new Outbound(Message.of(null, null, Topics.PREFIX + key.subTopic(), "presence_diff", bus.get("d")));
        for (ChannelSession c : node.topics.subscribers(key)) {
            if (c.config.presenceEnabled() && c.presenceRead) c.deliver(out, 0);
        }
    }

    private static ObjectNode diff() {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.putObject("joins");
        d.putObject("leaves");
        return d;
    }

    private static ObjectNode busDiff(Topics.Key key, ObjectNode diff) {
        ObjectNode bus = JsonNodeFactory.instance.objectNode();
        bus.put("k", "p").put("t", key.subTopic()).put("pr", key.isPrivate());
        bus.set("d", diff);
        return bus;
    }

    private static void addMeta(ObjectNode into, String key, String ref, String metaJson) {
        ObjectNode meta;
        try {
            meta = (ObjectNode) Json.MAPPER.readTree(metaJson);
        } catch (Exception e) {
            meta = JsonNodeFactory.instance.objectNode();
        }
        meta.put("phx_ref", ref);
        ObjectNode entry = into.has(key) ? (ObjectNode) into.get(key) : into.putObject(key);
        ArrayNode metas = entry.has("metas") ? (ArrayNode) entry.get("metas") : entry.putArray("metas");
        metas.add(meta);
    }
}
