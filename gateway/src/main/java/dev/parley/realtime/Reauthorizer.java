package dev.parley.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.auth.Caller;
import dev.parley.db.NotificationBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code realtime.reauthorize(topic)}: the private channels already joined to a topic are checked
 * again, on every node, and those the RLS policies on realtime.messages no longer admit are
 * closed. Private topics are otherwise authorized only at join and on a new access_token, so
 * without this a member removed from a room would keep receiving its events.
 *
 * <p>Signal (listener thread): the signal comes over the {@link Bus}, so it arrives in commit
 * order with the events around it. Every private channel of the topic on this node is held at
 * once ({@link ChannelSession#hold}): nothing committed after the change that revoked access
 * reaches it before the verdict. A check is queued on the database executor unless one is
 * already queued for the topic; a signal arriving while a check runs queues one more (that check
 * may have read the database before the signal's commit), so signals coalesce to at most one
 * running and one queued check per topic.
 *
 * <p>Check (database executor): channels grouped by role and claims, one
 * {@code realtime.authorize_groups} round trip for all groups (the join's own realtime.authorize
 * for each group). Channels still admitted take the fresh permissions and get what was held; the
 * others get a system message saying why, then phx_close, and their presence is removed. Access
 * that cannot be confirmed is not kept: a group whose policies raise, or a database still
 * unreachable after {@link #MAX_ATTEMPTS} attempts, closes its channels too (the client may join
 * again).
 *
 * <p>Races: a join whose authorization overlapped a signal for its topic authorizes again before it
 * goes live ({@link #signalledSince}). Signals sent while the listener was disconnected are lost,
 * so on reconnect every private topic with channels on this node is checked.
 */
final class Reauthorizer implements NotificationBus.StatusListener {
    private static final Logger log = LoggerFactory.getLogger(Reauthorizer.class);
    static final int MAX_ATTEMPTS = 3;
    private static final long RETRY_MILLIS = 250;
    /** Topics whose last signal is remembered for joins in flight; past that, joins re-check conservatively. */
    private static final int MAX_REMEMBERED = 10_000;

    private enum State { QUEUED, RUNNING, RERUN }

    private final RealtimeNode node;
    private final ConcurrentHashMap<String, State> checks = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final ConcurrentHashMap<String, Long> lastSignal = new ConcurrentHashMap<>();
    private volatile long forgottenBefore;

    Reauthorizer(RealtimeNode node) {
        this.node = node;
    }

    static String revokedReason(String subTopic) {
        return "Unauthorized: You no longer have permissions to read from this Channel topic: " + subTopic
                + " (access was re-checked after a change in the database). Join again once you are given access.";
    }

    /** A realtime.reauthorize signal from the bus, on the listener's thread. */
    void fromBus(ObjectNode m) {
        String topic = m.path("t").asText(null);
        if (topic != null) signal(topic);
    }

    /** Holds the topic's private channels on this node and makes sure a check follows. */
    void signal(String subTopic) {
        long g = generation.incrementAndGet();
        if (lastSignal.size() >= MAX_REMEMBERED) {
            forgottenBefore = g;
            lastSignal.clear();
        }
        lastSignal.put(subTopic, g);
        Topics.Key key = new Topics.Key(subTopic, true);
        boolean[] submit = {false};
        // Holding and the state change are one step for the topic (the map's lock for this key),
        // so a check that finishes concurrently either sees RERUN or released before this hold.
        checks.compute(subTopic, (k, state) -> {
            Set<ChannelSession> channels = node.topics.subscribers(key);
            if (state == null && channels.isEmpty()) return null;
            channels.forEach(ChannelSession::hold);
            if (state == null) {
                submit[0] = true;
                return State.QUEUED;
            }
            return state == State.RUNNING ? State.RERUN : state;
        });
        if (submit[0]) submit(subTopic, 1);
    }

    /** Read before a join authorizes, for {@link #signalledSince}. */
    long generation() {
        return generation.get();
    }

    /** Whether a signal for the topic may have arrived since {@code since} = {@link #generation()}. */
    boolean signalledSince(String subTopic, long since) {
        if (generation.get() == since) return false;
        if (since < forgottenBefore) return true;
        Long g = lastSignal.get(subTopic);
        return g != null && g > since;
    }

    private void submit(String subTopic, int attempt) {
        try {
            node.db.execute(() -> check(subTopic, attempt));
        } catch (RejectedExecutionException shuttingDown) {
            checks.remove(subTopic); // the node is stopping and closes every socket itself
        }
    }

    private void check(String subTopic, int attempt) {
        checks.replace(subTopic, State.QUEUED, State.RUNNING);
        Map<String, List<ChannelSession>> groups = new LinkedHashMap<>();
        Map<String, Caller> callers = new LinkedHashMap<>();
        List<ChannelSession> admitted = new ArrayList<>();
        for (ChannelSession c : node.topics.subscribers(new Topics.Key(subTopic, true))) {
            Caller caller = c.caller;
            if (caller.isServiceRole()) {
                admitted.add(c);
                continue;
            }
            String k = caller.role() + "\u0000" + caller.claimsJson();
            groups.computeIfAbsent(k, x -> new ArrayList<>()).add(c);
            callers.putIfAbsent(k, caller);
        }
        List<TopicAuthorizer.Verdict> verdicts;
        try {
            verdicts = groups.isEmpty() ? List.of() : node.authorizer.authorizeGroups(subTopic, new ArrayList<>(callers.values()));
        } catch (SQLException e) {
            if (attempt < MAX_ATTEMPTS) {
                log.warn("re-check of {} failed (attempt {}), retrying: {}", subTopic, attempt, e.getMessage());
                try {
                    node.scheduler.schedule(() -> submit(subTopic, attempt + 1), RETRY_MILLIS * attempt, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException shuttingDown) {
                    checks.remove(subTopic);
                }
                return;
            }
            log.warn("re-check of {} failed {} times; closing its channels: {}", subTopic, attempt, e.getMessage());
            TopicAuthorizer.Verdict failed = new TopicAuthorizer.Verdict(null, "the database could not be reached");
            verdicts = new ArrayList<>();
            for (int i = 0; i < groups.size(); i++) verdicts.add(failed);
        }
        int i = 0;
        for (List<ChannelSession> group : groups.values()) {
            TopicAuthorizer.Verdict v = verdicts.get(i++);
            for (ChannelSession c : group) {
                if (v == null || v.error() != null) {
                    close(c, "UnableToAuthorize: access to this Channel topic could not be re-checked ("
                            + (v == null ? "no verdict" : v.error()) + "); join again");
                } else if (!v.permissions().mayRead()) {
                    close(c, revokedReason(subTopic));
                } else {
                    apply(c, v.permissions());
                    admitted.add(c);
                }
            }
        }
        finish(subTopic, admitted);
    }

    /** Releases the admitted channels, unless a signal arrived meanwhile: then they stay held for the next check. */
    private void finish(String subTopic, List<ChannelSession> admitted) {
        boolean[] again = {false};
        checks.compute(subTopic, (k, state) -> {
            if (state == State.RERUN) {
                again[0] = true;
                return State.QUEUED;
            }
            admitted.forEach(ChannelSession::release);
            return null;
        });
        if (again[0]) submit(subTopic, 1);
    }

    private void apply(ChannelSession c, TopicAuthorizer.Permissions p) {
        c.broadcastRead = p.broadcastRead();
        c.presenceRead = p.presenceRead();
        c.broadcastWrite = p.broadcastWrite();
        c.presenceWrite = p.presenceWrite();
        if (!p.presenceWrite()) node.presence.untrack(c); // no longer allowed to be seen there
    }

    private void close(ChannelSession c, String reason) {
        log.debug("closing {} of socket {}: {}", c.topic, c.socket.id, reason);
        c.revoke(reason);
        c.socket.leave(c, null);
    }

    @Override
    public void onDisconnected() {
        // nothing to hold yet: the check on reconnect covers what was missed
    }

    /** Signals sent while disconnected are lost: every private topic joined here is checked. */
    @Override
    public void onReconnected() {
        List<String> topics = new ArrayList<>();
        for (Set<ChannelSession> set : node.topics.allTopics()) {
            for (ChannelSession c : set) {
                if (c.config.isPrivate()) topics.add(c.subTopic);
                break;
            }
        }
        topics.forEach(this::signal);
    }
}
