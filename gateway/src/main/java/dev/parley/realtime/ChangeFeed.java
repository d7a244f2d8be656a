package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.parley.db.NotificationBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
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
 * <p>Pipeline: notifications wait in arrival order until one of {@link #CHECKS} preparation slots
 * is free; a free slot takes everything waiting (at most {@link #BATCH} events) as one batch and
 * prepares it on the database executor: pointers resolved from realtime.events in one query, and
 * for the changes filters, SELECT privilege and one RLS round trip per table for all the
 * batch's rows and subscribers ({@link RlsCheck}). So batches form by themselves: an event that
 * arrives while nothing is being prepared goes at once, alone; under load, what arrived during
 * one check is checked together by the next. A run of events that need no check (realtime.send)
 * at the head of the queue is a batch of its own, so it waits only for the changes committed
 * before it. Delivery then runs strictly in notification order (= commit order = position
 * order) by chaining each batch's delivery after the previous one's, however the preparations
 * overlap. A delivery never repeats a position already delivered by this node.
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
    /** Most events one batch holds: bounds one check's work and the latency it adds. */
    static final int BATCH = 256;
    /** Batches prepared at once, each on its own connection: the RLS checks of two use two cores. */
    static final int CHECKS = 2;

    private final RealtimeNode node;
    private final DataSource admin;
    private final Object lock = new Object();
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private boolean disconnected;
    private final List<String> held = new ArrayList<>();
    /** Notifications taken, not yet in a batch (guarded by lock). */
    private final ArrayDeque<DbEvent> waiting = new ArrayDeque<>();
    /** Batches (or catch-ups) being prepared (guarded by lock). */
    private int preparing;
    private final int maxPending;
    /** Notifications taken and not yet delivered, waiting ones included (guarded by lock). */
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

    /** {@code count} notifications have been delivered (or failed); after an overflow, the catch-up follows. */
    private void settled(int count) {
        synchronized (lock) {
            inFlight -= count;
            if (inFlight == 0 && overflowed && !disconnected) {
                overflowed = false;
                submit(this::catchUp, 1);
            }
        }
    }

    /** Called with {@code lock} held. */
    private void enqueueNotification(String payload) {
        DbEvent e;
        try {
            e = DbEvent.fromNotification(payload);
        } catch (Exception ex) {
            log.warn("unreadable realtime notification dropped: {}", ex.toString());
            return;
        }
        if (e.position() > receivedThrough) receivedThrough = e.position();
        waiting.add(e);
        inFlight++;
        dispatch();
    }

    /** Starts batches while a preparation slot is free. Called with {@code lock} held. */
    private void dispatch() {
        while (preparing < CHECKS && !waiting.isEmpty()) {
            List<DbEvent> batch = new ArrayList<>(Math.min(BATCH, waiting.size()));
            boolean changes = waiting.peek().isChange();
            while (!waiting.isEmpty() && batch.size() < BATCH && (changes || !waiting.peek().isChange())) {
                batch.add(waiting.poll());
            }
            inFlight -= batch.size(); // counted again by submit
            submit(() -> prepare(batch), batch.size());
        }
    }

    private interface Source {
        List<Prepared> get() throws SQLException;
    }

    /**
     * Prepares on the executor in a preparation slot, delivers in submission order; {@code count}:
     * the notifications it stands for. Called with {@code lock} held.
     */
    private void submit(Source source, int count) {
        preparing++;
        inFlight += count;
        CompletableFuture<List<Prepared>> prepared = CompletableFuture.supplyAsync(() -> {
            try {
                return source.get();
            } catch (SQLException | RuntimeException ex) {
                // Skipping the events would be a silent gap: every channel is told to resync.
                log.warn("realtime events not prepared, channels told to resync: {}", ex.toString());
                return List.of(new Prepared(null, List.of(), "an event could not be read from the database"));
            }
        }, node.db);
        // chained for delivery before the slot is given back: a preparation that completes at
        // once frees its slot right here (dispatch then submits the next batch), and the next
        // batch must be chained after this one
        tail = tail.thenCombine(prepared, (v, list) -> {
            list.forEach(this::deliver);
            return (Void) null;
        }).handle((v, ex) -> {
            if (ex != null) log.error("realtime delivery failed", ex);
            settled(count);
            return null;
        });
        prepared.whenComplete((list, ex) -> {
            synchronized (lock) {
                preparing--;
                dispatch();
            }
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
            long position = e.position();
            node.fanOut.each(p.deliveries(), Delivery::channel, d -> {
                if (d.error() != null) d.channel().system("postgres_changes", "error", d.error());
                else d.channel().deliver(d.out(), position);
            });
        } else {
            node.broadcasts.fromDatabase(e.topic(), e.isPrivate(), e.event(), e.data(), e.position());
        }
    }

    /** A batch: pointers resolved, then every change evaluated at once. */
    private List<Prepared> prepare(List<DbEvent> batch) throws SQLException {
        long t0 = System.nanoTime();
        List<DbEvent> events = loadPointers(batch);
        List<List<Delivery>> deliveries = evaluate(events, node.topics.withChanges());
        if (log.isDebugEnabled()) log.debug("batch of {} events prepared in {} ms", events.size(), (System.nanoTime() - t0) / 1_000_000);
        List<Prepared> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) out.add(new Prepared(events.get(i), deliveries.get(i), null));
        return out;
    }

    /**
     * The events with the data of pointer-only notifications (rows too large for NOTIFY) read
     * from realtime.events, all in one query; an event no longer there (pruned) is left out.
     */
    private List<DbEvent> loadPointers(List<DbEvent> batch) throws SQLException {
        List<Long> missing = new ArrayList<>();
        for (DbEvent e : batch) if (e.data() == null) missing.add(e.position());
        if (missing.isEmpty()) return batch;
        Map<Long, DbEvent> loaded = new HashMap<>();
        try (Connection c = admin.getConnection();
             PreparedStatement st = c.prepareStatement("select " + DbEvent.COLUMNS + " from realtime.events where position = any(?)")) {
            st.setArray(1, c.createArrayOf("bigint", missing.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    DbEvent e = DbEvent.fromRow(rs);
                    loaded.put(e.position(), e);
                }
            }
        }
        List<DbEvent> out = new ArrayList<>(batch.size());
        for (DbEvent e : batch) {
            DbEvent full = e.data() == null ? loaded.get(e.position()) : e;
            if (full != null) out.add(full);
        }
        return out;
    }

    /** A change event and who matched it (channels and, at the same index, their subscription ids). */
    private record Matched(DbEvent event, Tables.Info table, List<ChannelSession> channels, List<int[]> ids,
                           JsonNode oldShown, int rlsTable, int rlsRow) {
    }

    /** A channel that may receive changes of one table and operation: its subscriptions for them. */
    private record Interest(ChannelSession channel, ChangeSpec[] specs) {
    }

    /**
     * Who among {@code candidates} gets each of {@code events}, and what (the list at the same
     * index; empty for an event that is not a change): filters (in Java), SELECT privilege
     * (cached), then one RLS round trip per table for all the rows and subscribers at once.
     * The one way changes are evaluated: live batches, catch-up and resume replay.
     */
    List<List<Delivery>> evaluate(List<DbEvent> events, Collection<ChannelSession> candidates) throws SQLException {
        List<Matched> matched = new ArrayList<>(events.size());
        Map<String, List<Interest>> interests = new HashMap<>();
        Map<String, Integer> rlsIndex = new HashMap<>();
        List<RlsCheck.Rows> rlsRows = new ArrayList<>();
        for (DbEvent e : events) {
            matched.add(e.isChange() ? match(e, candidates, interests, rlsIndex, rlsRows) : null);
        }
        List<List<RlsCheck.Verdict[]>> verdicts = rlsRows.isEmpty() ? List.of() : node.rls.check(rlsRows);
        List<List<Delivery>> out = new ArrayList<>(events.size());
        for (Matched m : matched) {
            if (m == null) {
                out.add(List.of());
                continue;
            }
            out.add(deliveries(m, m.rlsTable() < 0 ? null : verdicts.get(m.rlsTable()).get(m.rlsRow())));
        }
        return out;
    }

    /**
     * Filters and privilege; a row that needs RLS is added to its table's {@code rlsRows}. Null:
     * nobody. {@code interests} keeps, per table and operation, the open channels that may
     * receive such changes, so one batch looks at each channel's subscriptions once per table.
     */
    private Matched match(DbEvent e, Collection<ChannelSession> candidates, Map<String, List<Interest>> interests,
                          Map<String, Integer> rlsIndex, List<RlsCheck.Rows> rlsRows) throws SQLException {
        Optional<Tables.Info> found = node.tables.get(e.schema(), e.table());
        if (found.isEmpty()) return null;
        Tables.Info table = found.get();
        List<Interest> interested = interests.get(e.schema() + "." + e.table() + "." + e.op());
        if (interested == null) {
            interested = interested(e, table, candidates);
            interests.put(e.schema() + "." + e.table() + "." + e.op(), interested);
        }
        if (interested.isEmpty()) return null;
        JsonNode record = e.data().get("record");
        boolean delete = e.op().equals("DELETE");
        JsonNode oldShown = revealedOld(table, e.data().get("old_record"), delete);
        JsonNode filtered = delete ? oldShown : record;
        List<ChannelSession> channels = new ArrayList<>();
        List<int[]> ids = new ArrayList<>();
        for (Interest in : interested) {
            int[] matchedIds = null;
            for (ChangeSpec s : in.specs()) {
                if (!s.parsed().test(filtered)) continue;
                if (matchedIds == null) {
                    matchedIds = new int[] {s.id()};
                } else if (java.util.Arrays.stream(matchedIds).noneMatch(id -> id == s.id())) {
                    matchedIds = java.util.Arrays.copyOf(matchedIds, matchedIds.length + 1);
                    matchedIds[matchedIds.length - 1] = s.id();
                }
            }
            if (matchedIds == null) continue;
            channels.add(in.channel());
            ids.add(matchedIds);
        }
        if (channels.isEmpty()) return null;
        if (!table.rls() || delete) return new Matched(e, table, channels, ids, oldShown, -1, -1);
        int t = rlsIndex.computeIfAbsent(table.qualified(), k -> {
            rlsRows.add(new RlsCheck.Rows(table, new ArrayList<>(), new ArrayList<>()));
            return rlsRows.size() - 1;
        });
        RlsCheck.Rows rows = rlsRows.get(t);
        rows.rows().add(record);
        rows.candidates().add(channels);
        return new Matched(e, table, channels, ids, oldShown, t, rows.rows().size() - 1);
    }

    /** The open channels subscribed to {@code e}'s table and operation whose role may SELECT it. */
    private List<Interest> interested(DbEvent e, Tables.Info table, Collection<ChannelSession> candidates) throws SQLException {
        List<Interest> out = new ArrayList<>();
        for (ChannelSession c : candidates) {
            List<ChangeSpec> specs = null;
            for (ChangeSpec s : c.config.changes()) {
                if (!s.matches(e.schema(), e.table(), e.op())) continue;
                if (specs == null) specs = new ArrayList<>(1);
                specs.add(s);
            }
            if (specs == null || c.isClosed() || !node.tables.canSelect(c.caller.role(), table)) continue;
            out.add(new Interest(c, specs.toArray(ChangeSpec[]::new)));
        }
        return out;
    }

    /** One change's deliveries, given its RLS verdicts (null: the table needs none). */
    private static List<Delivery> deliveries(Matched change, RlsCheck.Verdict[] verdicts) {
        DbEvent e = change.event();
        Tables.Info table = change.table();
        boolean delete = e.op().equals("DELETE");
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("schema", e.schema()).put("table", e.table()).put("commit_timestamp", e.committedAt()).put("type", e.op());
        data.set("columns", table.columnsJson());
        if (!delete) data.set("record", e.data().get("record"));
        if (!e.op().equals("INSERT")) data.set("old_record", change.oldShown());
        data.putNull("errors");
        // data is the same for every channel: serialized once per event, spliced into each frame
        // (each subscriber's topic differs, so frames themselves are encoded per channel)
        RawValue[] dataJson = new RawValue[1];
        Map<String, Outbound> shared = new HashMap<>();
        List<Delivery> out = new ArrayList<>(change.channels().size());
        for (int i = 0; i < change.channels().size(); i++) {
            ChannelSession c = change.channels().get(i);
            int[] ids = change.ids().get(i);
            RlsCheck.Verdict v = verdicts == null ? RlsCheck.Verdict.VISIBLE : verdicts[i];
            if (v.error() != null) {
                out.add(new Delivery(c, null, "RLS check of " + table.qualified() + " failed: " + v.error()));
                continue;
            }
            if (!v.visible()) continue;
            // one message (encoded once per serializer) for every channel of a topic with the same ids
            String k = c.topic + java.util.Arrays.toString(ids);
            Outbound o = shared.computeIfAbsent(k, x -> {
                ObjectNode payload = JsonNodeFactory.instance.objectNode();
                var idArray = payload.putArray("ids");
                for (int id : ids) idArray.add(id);
                if (dataJson[0] == null) dataJson[0] = new RawValue(data.toString());
                payload.putRawValue("data", dataJson[0]);
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
            submit(this::catchUp, 1);
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
        for (int from = 0; from < events.size(); from += BATCH) {
            List<DbEvent> batch = events.subList(from, Math.min(events.size(), from + BATCH));
            for (DbEvent e : batch) if (e.position() > receivedThrough) receivedThrough = e.position();
            List<List<Delivery>> deliveries = evaluate(batch, node.topics.withChanges());
            for (int i = 0; i < batch.size(); i++) out.add(new Prepared(batch.get(i), deliveries.get(i), null));
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
