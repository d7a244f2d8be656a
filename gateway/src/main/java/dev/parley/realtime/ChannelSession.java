package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.auth.Caller;

import java.util.ArrayList;
import java.util.List;

/**
 * One joined topic of one socket.
 *
 * <p>Lifecycle: created PENDING when the join arrives; registered (so it already receives every
 * event) before the join's database work finishes; {@link #open} then sends, under the channel's
 * lock and in this order, the join reply, any replayed events, and everything buffered meanwhile,
 * and only then turns LIVE. So the client sees {@code ok} before any event of the channel, and a
 * write committed after the client saw {@code ok} is always delivered.
 *
 * <p>Positions: events from the database carry a commit-ordered position; a channel never sends a
 * position at or below the last one it sent, which makes replay plus live delivery exactly-once.
 */
final class ChannelSession {
    final SocketSession socket;
    final String topic;
    final String subTopic;
    final String joinRef;
    final JoinConfig config;
    final String presenceKey;
    volatile Caller caller;
    volatile String token;
    /** What RLS on realtime.messages allows; all true on public channels. */
    volatile boolean broadcastRead = true;
    volatile boolean broadcastWrite = true;
    volatile boolean presenceRead = true;
    volatile boolean presenceWrite = true;
    /** phx_ref of this channel's tracked presence, null when not tracking. */
    volatile String presenceRef;
    /** Publishes what the client sends on this channel one after the other, in the order sent. */
    final SerialExecutor sends;

    private final Object lock = new Object();
    private boolean live;
    private boolean closed;
    /** Set while the topic's access is re-checked ({@link Reauthorizer}): deliveries wait in pending. */
    private boolean held;
    private long lastPosition;
    private List<Pending> pending = new ArrayList<>();

    private record Pending(Outbound out, long position) {
    }

    ChannelSession(SocketSession socket, String topic, String joinRef, JoinConfig config, Caller caller, String token) {
        this.socket = socket;
        this.topic = topic;
        this.subTopic = topic.substring(Topics.PREFIX.length());
        this.joinRef = joinRef;
        this.config = config;
        this.caller = caller;
        this.token = token;
        this.presenceKey = config.presenceKey().isEmpty() ? java.util.UUID.randomUUID().toString() : config.presenceKey();
        this.sends = new SerialExecutor(socket.node.db);
    }

    Topics.Key key() {
        return new Topics.Key(subTopic, config.isPrivate());
    }

    /** Delivers a fanned-out event; position 0 = an event without one (client broadcast, presence). */
    void deliver(Outbound out, long position) {
        synchronized (lock) {
            if (closed) return;
            if (!live || held) {
                pending.add(new Pending(out, position));
                if (pending.size() > socket.node.settings.maxQueuedMessages()) {
                    socket.disconnectSlowConsumer();
                }
                return;
            }
            sendLocked(out, position);
        }
    }

    private void sendLocked(Outbound out, long position) {
        if (position > 0) {
            if (position <= lastPosition) return;
            lastPosition = position;
        }
        Frame f = out.frameFor(socket.serializer);
        if (f != null) socket.send(f);
    }

    /**
     * Goes live: the join reply, then {@code first} (presence_state, replayed events, system
     * messages, in order), then what was buffered since registration.
     */
    void open(String replyRef, JsonNode replyResponse, List<Outbound> first, List<Long> firstPositions) {
        synchronized (lock) {
            if (closed) return;
            socket.reply(joinRef, replyRef, topic, "ok", replyResponse);
            for (int i = 0; i < first.size(); i++) sendLocked(first.get(i), firstPositions.get(i));
            live = true;
            if (held) return; // the buffered events wait for the re-check's verdict
            for (Pending p : pending) sendLocked(p.out(), p.position());
            pending = null;
        }
    }

    /**
     * Holds delivery while the topic's access is re-checked: what arrives meanwhile is buffered
     * (bounded like a joining channel's buffer), so a channel that loses access receives nothing
     * committed after the change that revoked it.
     */
    void hold() {
        synchronized (lock) {
            if (closed || held) return;
            held = true;
            if (pending == null) pending = new ArrayList<>();
        }
    }

    /** Ends a hold with access confirmed: what was buffered meanwhile is sent, in order. */
    void release() {
        synchronized (lock) {
            if (!held || closed) return;
            held = false;
            if (!live) return; // still joining: open() sends the buffer
            for (Pending p : pending) sendLocked(p.out(), p.position());
            pending = null;
        }
    }

    /**
     * Ends a hold with access revoked: the buffered events are dropped and the system message
     * saying why is sent ahead of anything else; the channel stays held (delivering nothing) until
     * the caller closes it. A channel still joining gets no system message, only the close.
     */
    void revoke(String reason) {
        synchronized (lock) {
            if (closed) return;
            held = true;
            pending = new ArrayList<>();
            if (live) sendLocked(new Outbound(Message.of(joinRef, null, topic, "system",
                    systemPayload("system", "error", reason, subTopic))), 0);
        }
    }

    /** Sends a message of this channel only (join_ref set): system messages, presence_state. */
    void push(String event, JsonNode payload) {
        deliver(new Outbound(Message.of(joinRef, null, topic, event, payload)), 0);
    }

    /** A system message, as Supabase's: {extension, status, message, channel}. */
    void system(String extension, String status, String message) {
        push("system", systemPayload(extension, status, message, subTopic));
    }

    static ObjectNode systemPayload(String extension, String status, String message, String channel) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("extension", extension).put("status", status).put("message", message).put("channel", channel);
        return p;
    }

    /** A resuming channel has seen everything up to {@code position}. */
    void startAfter(long position) {
        synchronized (lock) {
            if (position > lastPosition) lastPosition = position;
        }
    }

    long lastPosition() {
        synchronized (lock) {
            return lastPosition;
        }
    }

    boolean isLive() {
        synchronized (lock) {
            return live && !closed;
        }
    }

    /** Stops delivery; returns false when already closed. */
    boolean markClosed() {
        synchronized (lock) {
            if (closed) return false;
            closed = true;
            pending = null;
            return true;
        }
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }
}
