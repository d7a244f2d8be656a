package dev.parley.realtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.http.Json;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Phoenix's two JSON serializers, chosen by the socket's {@code vsn}:
 * <ul>
 *   <li>1.0.0: {@code {"join_ref","ref","topic","event","payload"}} objects;</li>
 *   <li>2.0.0 (realtime-js's default): {@code [join_ref, ref, topic, event, payload]} arrays, plus
 *       Supabase's binary user-broadcast frames: clients push kind 3 (user broadcast push) and
 *       receive kind 4 (user broadcast), each a one-byte-length header followed by the user payload
 *       as JSON text (encoding 1) or raw bytes (encoding 0).</li>
 * </ul>
 */
enum Serializer {
    V1("1.0.0"), V2("2.0.0");

    static final int KIND_USER_BROADCAST_PUSH = 3;
    static final int KIND_USER_BROADCAST = 4;
    static final int ENCODING_BINARY = 0;
    static final int ENCODING_JSON = 1;

    final String vsn;

    Serializer(String vsn) {
        this.vsn = vsn;
    }

    /** The serializer of a {@code vsn} query parameter; absent means 1.0.0, as Phoenix. */
    static Serializer forVsn(String vsn) {
        if (vsn == null || vsn.isEmpty() || vsn.equals("1.0.0")) return V1;
        if (vsn.equals("2.0.0")) return V2;
        return null;
    }

    Message decodeText(String text) throws ProtocolException {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ProtocolException("frame is not JSON: " + e.getOriginalMessage());
        }
        if (this == V2) {
            if (!(node instanceof ArrayNode a) || a.size() < 5) {
                throw new ProtocolException("expected a [join_ref, ref, topic, event, payload] array (vsn 2.0.0)");
            }
            return Message.of(str(a.get(0)), str(a.get(1)), requiredString(a.get(2), "topic"),
                    requiredString(a.get(3), "event"), a.get(4));
        }
        if (!(node instanceof ObjectNode o)) {
            throw new ProtocolException("expected a {topic, event, payload, ref} object (vsn 1.0.0)");
        }
        return Message.of(str(o.get("join_ref")), str(o.get("ref")), requiredString(o.get("topic"), "topic"),
                requiredString(o.get("event"), "event"), o.get("payload"));
    }

    /** A binary frame: only vsn 2.0.0's user broadcast push is defined. */
    Message decodeBinary(ByteBuffer buf) throws ProtocolException {
        if (this != V2) throw new ProtocolException("binary frames need vsn 2.0.0");
        try {
            int kind = Byte.toUnsignedInt(buf.get());
            if (kind != KIND_USER_BROADCAST_PUSH) throw new ProtocolException("unknown binary frame kind " + kind);
            int joinRefLen = Byte.toUnsignedInt(buf.get());
            int refLen = Byte.toUnsignedInt(buf.get());
            int topicLen = Byte.toUnsignedInt(buf.get());
            int eventLen = Byte.toUnsignedInt(buf.get());
            int metaLen = Byte.toUnsignedInt(buf.get());
            int encoding = Byte.toUnsignedInt(buf.get());
            String joinRef = utf8(buf, joinRefLen);
            String ref = utf8(buf, refLen);
            String topic = utf8(buf, topicLen);
            String userEvent = utf8(buf, eventLen);
            utf8(buf, metaLen); // metadata: not used, as in Supabase
            byte[] rest = new byte[buf.remaining()];
            buf.get(rest);
            ObjectNode payload = JsonNodeFactory.instance.objectNode();
            payload.put("type", "broadcast").put("event", userEvent);
            if (encoding == ENCODING_JSON) {
                payload.set("payload", Json.MAPPER.readTree(rest));
                return new Message(empty(joinRef), empty(ref), topic, "broadcast", payload, null, true);
            }
            return new Message(empty(joinRef), empty(ref), topic, "broadcast", payload, rest, true);
        } catch (java.nio.BufferUnderflowException e) {
            throw new ProtocolException("truncated binary frame");
        } catch (java.io.IOException e) {
            throw new ProtocolException("binary frame's JSON payload is not JSON");
        }
    }

    Frame encode(Message m) {
        if (m.binaryFramed() && this == V2) return Frame.binary(userBroadcast(m));
        if (m.binary() != null) return null; // a 1.0.0 socket cannot represent raw bytes (as Supabase)
        return Frame.text(encodeText(m.joinRef(), m.ref(), m.topic(), m.event(), m.payload()));
    }

    String encodeText(String joinRef, String ref, String topic, String event, JsonNode payload) {
        if (this == V2) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode(5);
            a.add(joinRef).add(ref).add(topic).add(event).add(payload);
            return a.toString();
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("event", event);
        o.set("payload", payload);
        o.put("ref", ref);
        o.put("topic", topic);
        o.put("join_ref", joinRef);
        return o.toString();
    }

    private static byte[] userBroadcast(Message m) {
        byte[] topic = m.topic().getBytes(StandardCharsets.UTF_8);
        byte[] event = m.payload().path("event").asText("").getBytes(StandardCharsets.UTF_8);
        byte[] body = m.binary() != null ? m.binary()
                : m.payload().path("payload").toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(5 + topic.length + event.length + body.length);
        out.put((byte) KIND_USER_BROADCAST).put((byte) topic.length).put((byte) event.length).put((byte) 0)
                .put((byte) (m.binary() != null ? ENCODING_BINARY : ENCODING_JSON));
        out.put(topic).put(event).put(body);
        return out.array();
    }

    private static String utf8(ByteBuffer buf, int len) {
        byte[] b = new byte[len];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String empty(String s) {
        return s.isEmpty() ? null : s;
    }

    private static String str(JsonNode n) {
        if (n == null || n.isNull()) return null;
        return n.isTextual() ? n.asText() : n.toString();
    }

    private static String requiredString(JsonNode n, String what) throws ProtocolException {
        if (n == null || !n.isTextual()) throw new ProtocolException("message has no " + what);
        return n.asText();
    }
}
