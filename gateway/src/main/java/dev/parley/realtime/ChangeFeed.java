package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.db.NotificationBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Events from the database (row changes and realtime.send), in position order, to channels.
 *
 * <p>Pipeline: each notification is prepared on the database executor (a pointer resolved from
 * realtime.events; for a change: filters, SELECT privilege and one batched RLS check), so many
 * events are prepared at once; delivery then runs strictly in notification order (= commit order
 * = position order) by chaining each delivery after the previous one. A delivery never repeats a
 * position already delivered by this node.
 *
 * <p>Listener loss: notifications committed while the listener was down are not lost, they are in
 * realtime.events. While disconnected, incoming notifications are held; on reconnect the node
 * first reads every event after the last one it delivered, then the held ones (duplicates drop by
 * position). If events were pruned meanwhile, channels are told to resync.
 *
 * <p>Bound (DESIGN.md hard part 5): at most {@code maxPendingEvents} notifications are between
 * arrival and delivery, and at most as many are held while disconnected. Past the bound the feed
 * stops taking notifications one by one (they are dropped, which is safe: each one's event is
 * already committed in realtime.events); once everything taken has been delivered it catches up
 * from realtime.events exactly as after a listener loss: every event after the last delivered
 * position, in order, duplicates dropped by position, or, when more than {@link #CATCH_UP_LIMIT}
 * are waiting or some were pruned, every channel is told to resync. No subscriber is ever
 * silently skipped, and memory stays bounded however far delivery falls behind.
 */
final class ChangeFeed implements NotificationBus.StatusListener {
    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    static final String CHANNEL = "parley_realtime";
    static final String SCHEMA_CHANNEL = "parley_realtime_schema";
    static final int CATCH_UP_LIMIT = 10_000;

    private final RealtimeNode node;
    private final DataSource admin;
    private final Object lock = new Object();
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private boolean disconnected;
    private final List<String> held = new ArrayList<>();
    private final int maxPending;
    /** Notifications taken and not yet delivered (guarded by lock). */
    private int inFlight;
    /** Notifications were dropped past the bound: catch up once the pipeline is empty (guarded by lock). */
    private boolean overflowed;
    /** Highest position delivered (delivery stage only, read elsewhere). */
    private volatile long deliveredThrough;
    /** Highest position received from the listener: every smaller position is committed and received. */
    private volatile long receivedThrough;

    /** One channel's share of an event. */
    record Delivery(ChannelSession channel, Outbound out, String error) {
    }

    private record Prepared(DbEvent event, List<Delivery> deliveries, String resyncReason) {
    }

    ChangeFeed(RealtimeNode node, DataSource admin) {
        this.node = node;
        this.admin = admin;
        this.maxPending = node.settings.maxPendingEvents();
    }

    void start(NotificationBus notifications) throws SQLException {
        try (Connection c = admin.getConnection(); PreparedStatement st = c.prepareStatement(
                "select coalesce(max(position), 0) from realtime.events");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            deliveredThrough = receivedThrough = rs.getLong(1);
        }
        notifications.addStatusListener(this);
        notifications.listen(SCHEMA_CHANNEL, (ch, p) -> node.tables.invalidate());
        notifications.listen(CHANNEL, (ch, p) -> received(p));
    }

    long receivedThrough() {
        return receivedThrough;
    }

    private void received(String payload) {
        synchronized (lock) {
            if (disconnected) {
                // past the bound, the catch-up at reconnect reads these from realtime.events anyway
                if (held.size() < maxPending) held.add(payload);
                return;
            }
            if (!overflowed && inFlight >= maxPending) {
                overflowed = true;
                log.warn("realtime delivery is {} events behind: catching up from realtime.events once they are delivered", inFlight);
            }
            if (overflowed) {
                noteReceived(payload);
                return;
            }
            enqueueNotification(payload);
        }
    }

    /** A dropped notification still counts as received: its event is committed and will be caught up. */
    private void noteReceived(String payload) {
        try {
            long position = DbEvent.fromNotification(payload).position();
            if (position > receivedThrough) receivedThrough = position;
        } catch (Exception ex) {
            log.warn("unreadable realtime notification dropped: {}", ex.toString());
        }
    }

    /** One enqueued source has been delivered (or failed); after an overflow, the catch-up follows. */
    private void settled() {
        synchronized (lock) {
            inFlight--;
            if (inFlight == 0 && overflowed && !disconnected) {
                overflowed = false;
                enqueue(this::catchUp);
            }
        }
    }

    private void enqueueNotification(String payload) {
        DbEvent e;
        try {
            e = DbEvent.fromNotification(payload);
        } catch (Exception ex) {
            log.warn("unreadable realtime notification dropped: {}", ex.toString());
            return;
        }
        if (e.position() > receivedThrough) receivedThrough = e.position();
        enqueue(() -> List.of(prepare(e)));
    }

    private interface Source {
        List<Prepared> get() throws SQLException;
    }

    /** Prepares on the executor, delivers in enqueue order. Called with {@code lock} held. */
    private void enqueue(Source source) {
        CompletableFuture<List<Prepared>> prepared = CompletableFuture.supplyAsync(() -> {
            try {
                return source.get();
            } catch (SQLException ex) {
                // Skipping the event would be a silent gap: every channel is told to resync.
                log.warn("realtime event not prepared, channels told to resync: {}", ex.getMessage());
                return List.of(new Prepared(null, List.of(), "an event could not be read from the database"));
            }
        }, node.db);
        inFlight++;
        tail = tail.thenCombine(prepared, (v, list) -> {
            list.forEach(this::deliver);
            return (Void) null;
        }).handle((v, ex) -> {
            if (ex != null) log.error("realtime delivery failed", ex);
            settled();
            return null;
        });
    }

    private void deliver(Prepared p) {
        if (p.resyncReason() != null) {
            node.resume.resyncAll(p.resyncReason());
            return;
        }
        DbEvent e = p.event();
        if (e.position() <= deliveredThrough) return;
        deliveredThrough = e.position();
        if (e.isChange()) {
            for (Delivery d : p.deliveries()) {
                if (d.error() != null) d.channel().system("postgres_changes", "error", d.error());
                else d.channel().deliver(d.out(), e.position());
            }
        } else {
            node.broadcasts.fromDatabase(e.topic(), e.isPrivate(), e.event(), e.data(), e.position());
        }
    }

    private Prepared prepare(DbEvent e) throws SQLException {
        if (e.data() == null) e = load(e.position()).orElse(null);
        if (e == null) return new Prepared(new DbEvent(0, "none", "", null, null, null, null, null, false, null), List.of(), null);
        if (!e.isChange()) return new Prepared(e, List.of(), null);
        return new Prepared(e, evaluate(e, node.topics.withChanges()), null);
    }

    private Optional<DbEvent> load(long position) throws SQLException {
        try (Connection c = admin.getConnection();
             PreparedStatement st = c.prepareStatement("select " + DbEvent.COLUMNS + " from realtime.events where position = ?")) {
            st.setLong(1, position);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(DbEvent.fromRow(rs)) : Optional.empty();
            }
        }
    }

    /**
     * Who among {@code candidates} gets a change event, and what: filters (in Java), SELECT
     * privilege (cached), then one RLS round trip for all of them. Also used by resume replay.
     */
    List<Delivery> evaluate(DbEvent e, Collection<ChannelSession> candidates) throws SQLException {
        Optional<Tables.Info> found = node.tables.get(e.schema(), e.table());
        if (found.isEmpty()) return List.of();
        Tables.Info table = found.get();
        JsonNode record = e.data().get("record");
        JsonNode oldFull = e.data().get("old_record");
        boolean delete = e.op().equals("DELETE");
        JsonNode oldShown = revealedOld(table, oldFull, delete);
        JsonNode filtered = delete ? oldShown : record;
        Map<ChannelSession, int[]> matched = new HashMap<>();
        for (ChannelSession c : candidates) {
            if (c.isClosed()) continue;
            List<Integer> ids = new ArrayList<>();
            for (ChangeSpec s : c.config.changes()) {
                if (s.matches(e.schema(), e.table(), e.op()) && s.parsed().test(filtered) && !ids.contains(s.id())) ids.add(s.id());
            }
            if (ids.isEmpty() || !node.tables.canSelect(c.caller.role(), table)) continue;
            matched.put(c, ids.stream().mapToInt(Integer::intValue).toArray());
        }
        if (matched.isEmpty()) return List.of();
        Map<ChannelSession, RlsCheck.Verdict> verdicts = table.rls() && !delete
                ? node.rls.check(table, record, matched.keySet()) : null;
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("schema", e.schema()).put("table", e.table()).put("commit_timestamp", e.committedAt()).put("type", e.op());
        data.set("columns", table.columnsJson());
        if (!delete) data.set("record", record);
        if (!e.op().equals("INSERT")) data.set("old_record", oldShown);
        data.putNull("errors");
        Map<String, Outbound> shared = new HashMap<>();
        List<Delivery> out = new ArrayList<>(matched.size());
        for (var m : matched.entrySet()) {
            ChannelSession c = m.getKey();
            RlsCheck.Verdict v = verdicts == null ? RlsCheck.Verdict.VISIBLE : verdicts.get(c);
            if (v == null) continue;
            if (v.error() != null) {
                out.add(new Delivery(c, null, "RLS check of " + table.qualified() + " failed: " + v.error()));
                continue;
            }
            if (!v.visible()) continue;
            String k = c.topic + java.util.Arrays.toString(m.getValue());
            Outbound o = shared.computeIfAbsent(k, x -> {
                ObjectNode payload = JsonNodeFactory.instance.objectNode();
                var ids = payload.putArray("ids");
                for (int id : m.getValue()) ids.add(id);
                payload.set("data", data);
                payload.put("position", Long.toString(e.position()));
                return new Outbound(Message.of(null, null, c.topic, "postgres_changes", payload));
            });
            out.add(new Delivery(c, o, null));
        }
        return out;
    }

    /**
     * The old row a subscriber may see. The row of a DELETE is gone, so RLS cannot be asked about
     * it: like Supabase, only its primary key is revealed (to subscribers whose role may SELECT
     * the table), and the whole old row only when the table has REPLICA IDENTITY FULL and no RLS.
     * An UPDATE's old row is likewise the primary key unless REPLICA IDENTITY FULL.
     */
    private static JsonNode revealedOld(Tables.Info table, JsonNode old, boolean delete) {
        if (old == null || old.isNull()) return JsonNodeFactory.instance.objectNode();
        if (table.replicaFull() && !(delete && table.rls())) return old;
        ObjectNode pk = JsonNodeFactory.instance.objectNode();
        for (String col : table.primaryKey()) pk.set(col, old.get(col));
        return pk;
    }

    @Override
    public void onDisconnected() {
        synchronized (lock) {
            disconnected = true;
        }
    }

    @Override
    public void onReconnected() {
        synchronized (lock) {
            overflowed = false; // this catch-up covers what was dropped too
            enqueue(this::catchUp);
            for (String p : held) enqueueNotification(p);
            held.clear();
            disconnected = false;
        }
        node.db.execute(node.presence::resendStates);
    }

    /** Everything committed after the last delivered event, read from realtime.events. */
    private List<Prepared> catchUp() throws SQLException {
        long after = deliveredThrough;
        List<DbEvent> events = new ArrayList<>();
        long pruned;
        try (Connection c = admin.getConnection()) {
            pruned = node.resume.prunedThrough(c);
            try (PreparedStatement st = c.prepareStatement("select " + DbEvent.COLUMNS
                    + " from realtime.events where position > ? order by position limit " + (CATCH_UP_LIMIT + 1))) {
                st.setLong(1, after);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) events.add(DbEvent.fromRow(rs));
                }
            }
        }
        if (after < pruned || events.size() > CATCH_UP_LIMIT) {
            return List.of(new Prepared(null, List.of(), "the realtime listener lost its connection and events were pruned meanwhile"));
        }
        List<Prepared> out = new ArrayList<>();
        for (DbEvent e : events) {
            if (e.position() > receivedThrough) receivedThrough = e.position();
            out.add(new Prepared(e, e.isChange() ? evaluate(e, node.topics.withChanges()) : List.of(), null));
        }
        log.info("realtime listener caught up {} events after position {}", events.size(), after);
        return out;
    }

    /** Validates a joining channel's bindings: tables exist, the role may SELECT, filter columns exist. */
    void validate(ChannelSession c) throws Joins.Refused, SQLException {
        for (ChangeSpec s : c.config.changes()) {
            if (s.table() == null || s.table().equals("*") || s.schema().equals("*")) continue;
            Optional<Tables.Info> t = node.tables.get(s.schema(), s.table());
            if (t.isEmpty()) {
                throw new Joins.Refused("UnableToSubscribeToPostgres: table " + s.schema() + "." + s.table() + " does not exist");
            }
            if (!node.tables.canSelect(c.caller.role(), t.get())) {
                throw new Joins.Refused("UnableToSubscribeToPostgres: role " + c.caller.role() + " may not SELECT from "
                        + s.schema() + "." + s.table());
            }
            for (ChangeFilter.Condition cond : s.parsed().conditions()) {
                if (!t.get().columns().contains(cond.column())) {
                    throw new Joins.Refused("UnableToSubscribeToPostgres: filter column " + cond.column() + " is not a column of "
                            + s.schema() + "." + s.table());
                }
            }
        }
    }
}
