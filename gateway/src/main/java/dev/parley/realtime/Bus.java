package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.db.NotificationBus;
import dev.parley.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Client broadcasts and presence diffs between gateway nodes, through Postgres: published with
 * {@code realtime.bus_send} (NOTIFY, or a stored row announced by id when larger than NOTIFY
 * allows) and received on channel {@code parley_bus} by every node, the sender included. One
 * path for local and remote delivery keeps every node's order identical, so nothing a user sees
 * depends on which node they are connected to.
 *
 * <p>Order: messages are handed on in notification order (= commit order), large ones included.
 * A large message must be read from its row on the database executor; while it is being read,
 * every message that arrives after it waits behind it in {@link #waiting}, so a 20 KB broadcast
 * never overtakes, nor is overtaken by, the small ones around it. Messages without a large one
 * ahead of them are handed on at once on the listener's thread, as before. (Per-sender order also
 * needs the sender to publish one message after the other: see {@link SerialExecutor}.)
 *
 * <p>Bound: at most {@link #MAX_WAITING} messages wait behind large ones; past that, arriving
 * messages are dropped with a warning. A large message whose row cannot be read (database
 * unreachable, row pruned) is dropped with a warning and the ones behind it go on. Bus messages
 * are live-only, like Supabase's broadcasts: nothing replays them.
 */
final class Bus {
    private static final Logger log = LoggerFactory.getLogger(Bus.class);
    static final String CHANNEL = "parley_bus";
    static final int MAX_WAITING = 10_000;
    private final DataSource admin;
    private final Executor db;
    private volatile Consumer<ObjectNode> receiver;

    /** Messages behind a large one still being read, in arrival order (guarded by itself). */
    private final ArrayDeque<Entry> waiting = new ArrayDeque<>();

    /** One received message: {@code message} is null while a large one's row is being read. */
    private static final class Entry {
        ObjectNode message;
        boolean done;

        Entry(ObjectNode message, boolean done) {
            this.message = message;
            this.done = done;
        }
    }

    Bus(DataSource admin, Executor db, NotificationBus notifications) {
        this.admin = admin;
        this.db = db;
        notifications.listen(CHANNEL, (channel, payload) -> received(payload));
    }

    void onMessage(Consumer<ObjectNode> receiver) {
        this.receiver = receiver;
    }

    /** Publishes from a database thread; throws when Postgres is unreachable. */
    void publish(ObjectNode message) throws SQLException {
        try (Connection c = admin.getConnection(); PreparedStatement st = c.prepareStatement("select realtime.bus_send(?)")) {
            st.setString(1, message.toString());
            st.execute();
        }
    }

    /** On the listener's thread, in notification order. */
    private void received(String payload) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(payload);
        } catch (Exception e) {
            log.warn("unreadable bus message dropped: {}", e.toString());
            return;
        }
        if (!(n instanceof ObjectNode o)) {
            log.warn("bus message that is not an object dropped");
            return;
        }
        synchronized (waiting) {
            if (waiting.size() >= MAX_WAITING) {
                log.warn("{} bus messages wait behind a large one; message dropped", waiting.size());
                return;
            }
            if (o.has("big")) {
                Entry e = new Entry(null, false);
                waiting.add(e);
                fetchLater(e, o.path("big").asText());
            } else if (waiting.isEmpty()) {
                handOn(o);
            } else {
                waiting.add(new Entry(o, true));
            }
        }
    }

    private void fetchLater(Entry e, String id) {
        try {
            db.execute(() -> resolve(e, fetchBig(id)));
        } catch (RejectedExecutionException shuttingDown) {
            resolve(e, null);
        }
    }

    /** The large message's row has been read (or not: null): hands on what no longer waits. */
    private void resolve(Entry e, ObjectNode message) {
        synchronized (waiting) {
            e.message = message;
            e.done = true;
            while (!waiting.isEmpty() && waiting.peek().done) {
                ObjectNode m = waiting.poll().message;
                if (m != null) handOn(m);
            }
        }
    }

    /** Called with {@link #waiting}'s lock held, so deliveries never interleave. */
    private void handOn(ObjectNode m) {
        Consumer<ObjectNode> r = receiver;
        if (r == null) return;
        try {
            r.accept(m);
        } catch (RuntimeException ex) {
            log.error("bus message delivery failed", ex);
        }
    }

    private ObjectNode fetchBig(String id) {
        try (Connection c = admin.getConnection();
             PreparedStatement st = c.prepareStatement("select body from realtime.bus_messages where id = ?")) {
            st.setLong(1, Long.parseLong(id));
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    JsonNode body = Json.MAPPER.readTree(rs.getString(1));
                    if (body instanceof ObjectNode o) return o;
                }
                log.warn("bus message {} is gone; dropped", id);
            }
        } catch (Exception e) {
            log.warn("bus message {} could not be read; dropped: {}", id, e.toString());
        }
        return null;
    }
}
