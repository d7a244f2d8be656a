package dev.parley.realtime;

import dev.parley.GatewayContext;
import dev.parley.auth.Jwt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This gateway's realtime node: the registry of sockets and channels, and the services they use.
 * SQL only ever runs on {@link #db}, never on an Undertow I/O thread or the listener's thread.
 *
 * <p>Periodic work ({@link #scheduler}): every second, sockets silent past the heartbeat timeout
 * are closed and channels whose token expired are closed; every third of the node timeout, the
 * node refreshes its row in realtime.nodes and removes the presences of nodes that stopped; every
 * minute, events past the retention window are pruned.
 */
final class RealtimeNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RealtimeNode.class);

    final RealtimeSettings settings;
    final String nodeId = UUID.randomUUID().toString();
    final Clock clock;
    final Jwt jwt;
    final ExecutorService db;
    final ScheduledExecutorService scheduler;
    final Topics topics = new Topics();
    final Tables tables;
    final TopicAuthorizer authorizer;
    final RlsCheck rls;
    final Bus bus;
    final Joins joins;
    final Broadcasts broadcasts;
    final FanOut fanOut = new FanOut();
    final Presence presence;
    final ChangeFeed changes;
    final Resume resume;
    final Reauthorizer reauth;
    private final DataSource admin;

    RealtimeNode(GatewayContext ctx, RealtimeSettings settings) throws SQLException {
        this.settings = settings;
        this.clock = ctx.clock();
        this.jwt = ctx.jwt();
        this.admin = ctx.database().adminPool();
        AtomicInteger n = new AtomicInteger();
        this.db = new ThreadPoolExecutor(settings.dbThreads(), settings.dbThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> daemon(r, "parley-realtime-db-" + n.incrementAndGet()));
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "parley-realtime-timer"));
        timers.setRemoveOnCancelPolicy(true);
        this.scheduler = timers;
        this.tables = new Tables(admin);
        this.authorizer = new TopicAuthorizer(ctx.database().requestPool());
        this.rls = new RlsCheck(ctx.database().requestPool());
        this.bus = new Bus(admin, db, ctx.notifications());
        this.joins = new Joins(this);
        this.broadcasts = new Broadcasts(this);
        this.presence = new Presence(this, admin);
        this.resume = new Resume(this, admin);
        this.changes = new ChangeFeed(this, admin);
        this.reauth = new Reauthorizer(this);
        bus.onMessage(m -> {
            switch (m.path("k").asText()) {
                case "b" -> broadcasts.fromBus(m);
                case "p" -> presence.fromBus(m);
                case "r" -> reauth.fromBus(m);
                default -> log.warn("unknown bus message kind {}", m.path("k").asText());
            }
        });
        refreshNode();
        // before the change feed's: channels hear of a reconnect before its catch-up delivers
        ctx.notifications().addStatusListener(new ListenerNotices(topics));
        // before the change feed's: after a reconnect, channels are held before its catch-up delivers
        ctx.notifications().addStatusListener(reauth);
        changes.start(ctx.notifications());
        scheduler.scheduleWithFixedDelay(this::checkSockets, 1, 1, TimeUnit.SECONDS);
        long beat = Math.max(1, settings.nodeTimeout().toSeconds() / 3);
        scheduler.scheduleWithFixedDelay(() -> db.execute(this::beat), beat, beat, TimeUnit.SECONDS);
        scheduler.scheduleWithFixedDelay(() -> db.execute(this::prune), 5, 60, TimeUnit.SECONDS);
    }

    /** Lets queued frames (close frames included) reach the wire before the server stops. */
    private static void awaitWrites(java.util.List<SocketSession> sockets, long maxMillis) {
        long end = System.currentTimeMillis() + maxMillis;
        while (System.currentTimeMillis() < end) {
            boolean pending = false;
            for (SocketSession s : sockets) pending |= s.queuedFrames() > 0;
            if (!pending) return;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void checkSockets() {
        try {
            long now = clock.millis();
            long timeout = settings.heartbeatTimeout().toMillis();
            for (SocketSession s : topics.sockets()) {
                if (now - s.lastHeardMillis() > timeout) {
                    s.close(1000, "heartbeat timeout: nothing received for " + settings.heartbeatTimeout().toSeconds() + " s");
                }
            }
            joins.closeExpired(now / 1000);
        } catch (RuntimeException e) {
            log.error("socket check failed", e);
        }
    }

    private void refreshNode() throws SQLException {
        try (Connection c = admin.getConnection(); PreparedStatement st = c.prepareStatement(
                "insert into realtime.nodes (node) values (?) on conflict (node) do update set seen_at = now()")) {
            st.setString(1, nodeId);
            st.execute();
        }
    }

    private void beat() {
        try {
            refreshNode();
            presence.sweep(null);
            try (Connection c = admin.getConnection(); PreparedStatement st = c.prepareStatement(
                    "delete from realtime.nodes where seen_at < now() - make_interval(secs => ?)")) {
                st.setLong(1, settings.nodeTimeout().toSeconds() * 10);
                st.execute();
            }
        } catch (SQLException e) {
            log.warn("realtime node heartbeat failed: {}", e.getMessage());
        }
    }

    private void prune() {
        try (Connection c = admin.getConnection()) {
            try (PreparedStatement st = c.prepareStatement("select realtime.prune(make_interval(secs => ?))")) {
                st.setLong(1, settings.retention().toSeconds());
                st.execute();
            }
            try (PreparedStatement st = c.prepareStatement("delete from realtime.bus_messages where created_at < now() - interval '1 minute'")) {
                st.execute();
            }
        } catch (SQLException e) {
            log.warn("realtime pruning failed: {}", e.getMessage());
        }
    }

    /**
     * Shutdown: every socket gets a close frame (1001, going away) so clients reconnect elsewhere at
     * once, this node's presences are removed with leave diffs for the other nodes, then the threads stop.
     */
    @Override
    public void close() {
        scheduler.shutdownNow();
        java.util.List<SocketSession> open = java.util.List.copyOf(topics.sockets());
        for (SocketSession s : open) s.close(1001, "server shutting down");
        awaitWrites(open, 1000);
        try {
            presence.sweep(nodeId);
            try (Connection c = admin.getConnection();
                 PreparedStatement st = c.prepareStatement("delete from realtime.nodes where node = ?")) {
                st.setString(1, nodeId);
                st.execute();
            }
        } catch (SQLException e) {
            log.warn("realtime node not deregistered: {}", e.getMessage());
        }
        db.shutdown();
        try {
            db.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.shutdownNow();
    }
}
