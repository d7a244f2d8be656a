package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.auth.Caller;
import dev.parley.http.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * phx_join and access_token: who may join what, and when a join is answered.
 *
 * <p>A join is checked in two steps. On the socket's I/O thread: topic, limits, payload and token
 * (no I/O). On the node's database executor: RLS authorization of a private topic
 * ({@code realtime.authorize}), the postgres_changes bindings (tables exist, the role may SELECT,
 * filter columns exist), registration, then presence state and resume replay. The reply is sent
 * last (see {@link ChannelSession#open}); a refusal carries Supabase's "Code: message" reason.
 * Once joined, a private channel is checked again when realtime.reauthorize signals its topic
 * ({@link Reauthorizer}).
 */
final class Joins {
    private static final Logger log = LoggerFactory.getLogger(Joins.class);
    private final RealtimeNode node;

    Joins(RealtimeNode node) {
        this.node = node;
    }

    /** A join refused after its checks started; the reason goes to the client. */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    void join(SocketSession s, Message m) {
        String topic = m.topic();
        if (!topic.startsWith(Topics.PREFIX) || topic.length() == Topics.PREFIX.length()) {
            s.replyError(m, "unmatched topic: channel topics are realtime:<name>");
            return;
        }
        if (topic.getBytes(StandardCharsets.UTF_8).length > 255) {
            s.replyError(m, "InvalidJoinPayload: topic longer than 255 bytes");
            return;
        }
        ChannelSession existing = s.channels.get(topic);
        if (existing != null) s.leave(existing, null); // Phoenix: a second join of a topic replaces the first
        if (s.channels.size() >= node.settings.maxChannels()) {
            s.replyError(m, "ChannelRateLimitReached: Too many channels (at most " + node.settings.maxChannels() + " per socket)");
            return;
        }
        JoinConfig config;
        try {
            config = JoinConfig.parse(m.payload());
        } catch (JoinConfig.InvalidJoin e) {
            s.replyError(m, "InvalidJoinPayload: " + e.getMessage());
            return;
        }
        String token = config.accessToken() != null ? config.accessToken() : s.socketToken;
        Caller caller;
        try {
            caller = token == null ? Caller.anonymous() : node.jwt.verify(token);
        } catch (ApiError e) {
            s.replyError(m, tokenReason(e));
            return;
        }
        String joinRef = m.joinRef() != null ? m.joinRef() : m.ref();
        ChannelSession c = new ChannelSession(s, topic, joinRef, config, caller, token);
        s.channels.put(topic, c);
        node.db.execute(() -> complete(c, m.ref()));
    }

    static String tokenReason(ApiError e) {
        return e.code().equals("PGRST303") ? "InvalidJWTToken: Token has expired"
                : "InvalidJWTToken: " + e.getMessage() + (e.details() == null ? "" : " (" + e.details() + ")");
    }

    private void complete(ChannelSession c, String replyRef) {
        try {
            long signals = node.reauth.generation();
            if (c.config.isPrivate()) applyPermissions(c, node.authorizer.authorize(c.subTopic, c.caller));
            node.changes.validate(c);
            if (c.isClosed()) return;
            // Every event after this position reaches the channel live (notifications arrive in
            // position order); the client may resume from it even if it receives nothing.
            long liveAfter = node.changes.receivedThrough();
            node.topics.add(c);
            if (c.config.isPrivate() && node.reauth.signalledSince(c.subTopic, signals)) {
                // realtime.reauthorize ran for this topic while the join was being authorized, perhaps
                // against the data as it was before; registered now, the channel is in every later
                // re-check, and this check covers the ones before (it is not live: events wait)
                applyPermissions(c, node.authorizer.authorize(c.subTopic, c.caller));
            }
            List<Outbound> first = new ArrayList<>();
            List<Long> positions = new ArrayList<>();
            if (c.config.presenceEnabled() && c.presenceRead) {
                first.add(new Outbound(Message.of(c.joinRef, null, c.topic, "presence_state", node.presence.state(c.key()))));
                positions.add(0L);
            }
            node.resume.replay(c, first, positions);
            if (!c.config.changes().isEmpty()) {
                first.add(new Outbound(Message.of(c.joinRef, null, c.topic, "system",
                        ChannelSession.systemPayload("postgres_changes", "ok", "Subscribed to PostgreSQL", c.subTopic))));
                positions.add(0L);
            }
            ObjectNode response = JsonNodeFactory.instance.objectNode();
            ArrayNode pc = response.putArray("postgres_changes");
            for (ChangeSpec spec : c.config.changes()) pc.add(spec.toReply());
            long resumed = c.config.resumeAfter() == null ? 0 : c.config.resumeAfter();
            response.put("position", Long.toString(Math.max(liveAfter, resumed)));
            c.open(replyRef, response, first, positions);
        } catch (Refused e) {
            refuse(c, replyRef, e.getMessage());
        } catch (SQLException e) {
            log.warn("join of {} failed: {}", c.topic, e.getMessage());
            refuse(c, replyRef, "UnableToJoin: the database could not be reached (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            log.error("join of {} failed", c.topic, e);
            refuse(c, replyRef, "UnknownErrorOnChannel: internal error");
        }
    }

    private static void applyPermissions(ChannelSession c, TopicAuthorizer.Permissions p) throws Refused {
        if (!p.broadcastRead() && !p.presenceRead()) {
            throw new Refused("Unauthorized: You do not have permissions to read from this Channel topic: " + c.subTopic);
        }
        c.broadcastRead = p.broadcastRead();
        c.presenceRead = p.presenceRead();
        c.broadcastWrite = p.broadcastWrite();
        c.presenceWrite = p.presenceWrite();
    }

    private void refuse(ChannelSession c, String replyRef, String reason) {
        c.markClosed();
        node.topics.remove(c);
        c.socket.channels.remove(c.topic, c);
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("reason", reason);
        c.socket.reply(c.joinRef, replyRef, c.topic, "error", r);
    }

    /**
     * access_token on a joined channel: the new token must verify and be for the same user (a token
     * for someone else cannot take the channel over); a private topic is authorized again. Any
     * failure closes the channel with a system message saying why. No reply, as Supabase.
     */
    void refreshToken(ChannelSession c, Message m) {
        JsonNode t = m.payload() == null ? null : m.payload().get("access_token");
        if (t == null || !t.isTextual() || t.asText().isBlank()) {
            c.socket.replyError(m, "access_token must be a string");
            return;
        }
        String token = t.asText().trim();
        if (token.equals(c.token)) return;
        Caller next;
        try {
            next = node.jwt.verify(token);
        } catch (ApiError e) {
            c.socket.leave(c, tokenReason(e));
            return;
        }
        if (!Objects.equals(next.sub(), c.caller.sub()) || !Objects.equals(next.role(), c.caller.role())) {
            c.socket.leave(c, "InvalidJWTToken: the new access token is for another user or role; join the channel again");
            return;
        }
        if (!c.config.isPrivate()) {
            c.caller = next;
            c.token = token;
            return;
        }
        node.db.execute(() -> {
            try {
                TopicAuthorizer.Permissions p = node.authorizer.authorize(c.subTopic, next);
                if (!p.broadcastRead() && !p.presenceRead()) {
                    c.socket.leave(c, "You no longer have permission to read from this Channel topic: " + c.subTopic);
                    return;
                }
                applyPermissions(c, p);
                c.caller = next;
                c.token = token;
            } catch (Refused | SQLException e) {
                c.socket.leave(c, "UnableToAuthorize: " + e.getMessage());
            }
        });
    }

    /** Periodic: closes channels whose token expired without a fresh access_token. */
    void closeExpired(long nowEpochSeconds) {
        for (SocketSession s : node.topics.sockets()) {
            for (ChannelSession c : s.channels.values()) {
                if (c.caller.expiredAt(nowEpochSeconds)) s.leave(c, "InvalidJWTToken: Token has expired");
            }
        }
    }
}
