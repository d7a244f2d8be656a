package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.Base64;

/**
 * Broadcast: from clients (with {@code self} and {@code ack}), from the HTTP API, and from the
 * database ({@code realtime.send}). Client and HTTP broadcasts cross nodes on the {@link Bus};
 * database broadcasts arrive with a position through the {@link ChangeFeed}. Fan-out is one
 * encoding per serializer, one task per I/O thread ({@link FanOut}) and no database work per
 * recipient: private topics were authorized at join.
 */
final class Broadcasts {
    private static final Logger log = LoggerFactory.getLogger(Broadcasts.class);
    private final RealtimeNode node;

    Broadcasts(RealtimeNode node) {
        this.node = node;
    }

    void fromClient(ChannelSession c, Message m) {
        JsonNode p = m.payload();
        if (p == null || !p.isObject() || !p.path("event").isTextual()) {
            c.socket.replyError(m, "a broadcast payload is {type: \"broadcast\", event: <string>, payload: <object>}");
            return;
        }
        if (!c.broadcastWrite) {
            if (c.config.ack()) c.socket.replyError(m, "Unauthorized: You do not have permissions to write to this Channel topic: " + c.subTopic);
            return;
        }
        ObjectNode bus = busMessage(c.subTopic, c.config.isPrivate(), (ObjectNode) p, m.binary(), m.binaryFramed());
        bus.put("n", node.nodeId).put("o", c.socket.id + "/" + c.joinRef);
        // one after the other: a broadcast sent after another by this channel is never delivered before it
        c.sends.execute(() -> {
            try {
                node.bus.publish(bus);
                if (c.config.ack() && m.ref() != null) c.socket.reply(c.joinRef, m.ref(), c.topic, "ok", JsonNodeFactory.instance.objectNode());
            } catch (SQLException e) {
                log.warn("broadcast on {} could not be published: {}", c.topic, e.getMessage());
                c.socket.replyError(m, "UnableToBroadcast: the database could not be reached");
            }
        });
    }

    /** A broadcast of the HTTP API: no sender channel. Called on a worker thread. */
    void fromApi(String subTopic, boolean isPrivate, String event, JsonNode payload) throws SQLException {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("type", "broadcast").put("event", event);
        p.set("payload", payload);
        node.bus.publish(busMessage(subTopic, isPrivate, p, null, false));
    }

    static ObjectNode busMessage(String subTopic, boolean isPrivate, ObjectNode payload, byte[] binary, boolean binaryFramed) {
        ObjectNode bus = JsonNodeFactory.instance.objectNode();
        bus.put("k", "b").put("t", subTopic).put("pr", isPrivate);
        ObjectNode p = payload.deepCopy();
        if (binary != null) {
            p.remove("payload");
            bus.put("bin", Base64.getEncoder().encodeToString(binary));
        }
        bus.set("p", p);
        if (binaryFramed) bus.put("bf", true);
        return bus;
    }

    /** A client or API broadcast from the bus (this node's included), on the listener's thread. */
    void fromBus(ObjectNode bus) {
        Topics.Key key = new Topics.Key(bus.path("t").asText(), bus.path("pr").asBoolean());
        String origin = bus.path("n").asText("").equals(node.nodeId) ? bus.path("o").asText(null) : null;
        byte[] binary = bus.has("bin") ? Base64.getDecoder().decode(bus.get("bin").asText()) : null;
        Outbound out = new Outbound(new Message(null, null, Topics.PREFIX + key.subTopic(), "broadcast", bus.get("p"),
                binary, bus.path("bf").asBoolean()));
        node.fanOut.deliver(node.topics.subscribers(key),
                c -> c.broadcastRead && (c.config.self() || origin == null || !origin.equals(c.socket.id + "/" + c.joinRef)),
                out, 0);
    }

    /** A realtime.send committed in the database, in position order (from the change feed). */
    void fromDatabase(String subTopic, boolean isPrivate, String event, JsonNode payload, long position) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("type", "broadcast").put("event", event);
        p.set("payload", payload);
        p.put("position", Long.toString(position));
        Outbound out = new Outbound(Message.of(null, null, Topics.PREFIX + subTopic, "broadcast", p));
        node.fanOut.deliver(node.topics.subscribers(new Topics.Key(subTopic, isPrivate)), c -> c.broadcastRead, out, position);
    }
}
