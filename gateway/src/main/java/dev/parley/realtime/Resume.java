package dev.parley.realtime;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Resume (Parley's addition to the protocol; docs/realtime.md#resume). Every event from the
 * database reaches a channel with its {@code position}; a client that joins again with
 * {@code config.resume.position} = the last position it saw receives, before anything live,
 * every event of that channel committed after it, in order, once. A channel registers for live
 * events before the replay reads realtime.events, and never sends a position twice, so nothing
 * falls between the two. Past the retention window (or more than {@link #MAX_REPLAY} events
 * behind) it gets a {@code system} message with status {@code resync} instead and should refetch.
 *
 * <p>Also Supabase's {@code broadcast.replay {since, limit}} for private channels: the last
 * database broadcasts since a time, marked {@code meta.replayed}.
 */
final class Resume {
    private static final Logger log = LoggerFactory.getLogger(Resume.class);
    static final int MAX_REPLAY = 10_000;
    private final RealtimeNode node;
    private final DataSource admin;

    Resume(RealtimeNode node, DataSource admin) {
        this.node = node;
        this.admin = admin;
    }

    long prunedThrough(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select pruned_through from realtime.retention where id = 1");
             ResultSet rs = st.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** The resync message; {@code position}: every event after it reaches the channel live. */
    ObjectNode resyncPayload(String channel, String why) {
        ObjectNode p = ChannelSession.systemPayload("resume", "resync", why, channel);
        p.put("position", Long.toString(node.changes.receivedThrough()));
        return p;
    }

    /** Adds the join's replayed events to {@code first} (database executor, channel registered). */
    void replay(ChannelSession c, List<Outbound> first, List<Long> positions) throws SQLException {
        Long after = c.config.resumeAfter();
        if (after != null) {
            c.startAfter(after);
            replayAfter(c, after, first, positions);
        }
        if (c.config.replaySinceMillis() != null && c.config.isPrivate()) replaySince(c, first, positions);
    }

    private void replayAfter(ChannelSession c, long after, List<Outbound> first, List<Long> positions) throws SQLException {
        List<DbEvent> events = new ArrayList<>();
        long pruned;
        try (Connection conn = admin.getConnection()) {
            pruned = prunedThrough(conn);
            if (after < pruned) {
                first.add(system(c, "Events after position " + after + " are no longer retained; refetch this channel's state"));
                positions.add(0L);
                return;
            }
            try (PreparedStatement st = conn.prepareStatement("select " + DbEvent.COLUMNS + " from realtime.events "
                    + "where position > ? and ((kind = 'broadcast' and topic = ? and coalesce(private, false) = ?) "
                    + "or (kind = 'change' and ?)) order by position limit " + (MAX_REPLAY + 1))) {
                st.setLong(1, after);
                st.setString(2, c.subTopic);
                st.setBoolean(3, c.config.isPrivate());
                st.setBoolean(4, !c.config.changes().isEmpty());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) events.add(DbEvent.fromRow(rs));
                }
            }
        }
        if (events.size() > MAX_REPLAY) {
            first.add(system(c, "More than " + MAX_REPLAY + " events after position " + after + "; refetch this channel's state"));
            positions.add(0L);
            return;
        }
        List<List<ChangeFeed.Delivery>> evaluated = new ArrayList<>(events.size());
        for (int from = 0; from < events.size(); from += ChangeFeed.BATCH) {
            evaluated.addAll(node.changes.evaluate(events.subList(from, Math.min(events.size(), from + ChangeFeed.BATCH)), List.of(c)));
        }
        for (int i = 0; i < events.size(); i++) {
            DbEvent e = events.get(i);
            if (!e.isChange()) {
                if (!c.broadcastRead) continue;
                ObjectNode p = JsonNodeFactory.instance.objectNode();
                p.put("type", "broadcast").put("event", e.event());
                p.set("payload", e.data());
                p.put("position", Long.toString(e.position()));
                first.add(new Outbound(Message.of(null, null, c.topic, "broadcast", p)));
                positions.add(e.position());
                continue;
            }
            for (ChangeFeed.Delivery d : evaluated.get(i)) {
                if (d.error() != null) {
                    first.add(new Outbound(Message.of(c.joinRef, null, c.topic, "system",
                            ChannelSession.systemPayload("postgres_changes", "error", d.error(), c.subTopic))));
                    positions.add(0L);
                } else {
                    first.add(d.out());
                    positions.add(e.position());
                }
            }
        }
        log.debug("resumed {} after {}: {} events", c.topic, after, events.size());
    }

    private void replaySince(ChannelSession c, List<Outbound> first, List<Long> positions) throws SQLException {
        List<DbEvent> events = new ArrayList<>();
        try (Connection conn = admin.getConnection();
             PreparedStatement st = conn.prepareStatement("select * from (select " + DbEvent.COLUMNS + " from realtime.events "
                     + "where kind = 'broadcast' and topic = ? and private and committed_at >= to_timestamp(? / 1000.0) "
                     + "order by position desc limit ?) r order by position")) {
            st.setString(1, c.subTopic);
            st.setLong(2, c.config.replaySinceMillis());
            st.setInt(3, c.config.replayLimit());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) events.add(DbEvent.fromRow(rs));
            }
        }
        for (DbEvent e : events) {
            ObjectNode p = JsonNodeFactory.instance.objectNode();
            p.put("type", "broadcast").put("event", e.event());
            p.set("payload", e.data());
            ObjectNode meta = p.putObject("meta");
            meta.put("replayed", true);
            if (e.data().has("id")) meta.set("id", e.data().get("id"));
            p.put("position", Long.toString(e.position()));
            first.add(new Outbound(Message.of(null, null, c.topic, "broadcast", p)));
            positions.add(0L); // replayed on request, not part of the resume sequence
        }
    }

    private Outbound system(ChannelSession c, String why) {
        return new Outbound(Message.of(c.joinRef, null, c.topic, "system", resyncPayload(c.subTopic, why)));
    }

    /** Tells every channel that receives database events to refetch (listener gap past retention). */
    void resyncAll(String why) {
        for (var set : node.topics.allTopics()) {
            for (ChannelSession c : set) c.push("system", resyncPayload(c.subTopic, why));
        }
    }
}
