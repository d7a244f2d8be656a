package dev.parley.db;

import com.impossibl.postgres.api.jdbc.PGConnection;
import com.impossibl.postgres.api.jdbc.PGNotificationListener;
import dev.parley.config.DatabaseUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The node's listener: one pgjdbc-ng connection whose asynchronous notification listener
 * delivers in about 0.1 ms. pgjdbc-ng neither reconnects nor re-LISTENs by itself, so its
 * {@code closed()} callback schedules a reconnect with capped exponential backoff (100 ms
 * doubling to 5 s, reset once connected); after reconnecting, every channel is LISTENed again
 * and status listeners are told to resync, since notifications committed while the connection
 * was down are gone.
 *
 * <p>Threads: notifications are delivered on pgjdbc-ng's I/O thread, in commit order; listeners
 * must hand work off rather than block it. Everything else (losing the connection, reconnecting,
 * the liveness check, status callbacks) runs on the one {@code parley-listener} thread, so a
 * reconnect never races a loss, and nothing here blocks pgjdbc-ng's I/O thread (which a new
 * connection may need in order to open).
 *
 * <p>Loss is noticed when Postgres closes the connection (restart, {@code pg_terminate_backend},
 * crash) and, for a connection that silently stopped answering (a network path gone without a
 * reset), by a liveness query every {@link #CHECK_EVERY_MS}. A callback from a connection that is
 * no longer the current one (one abandoned while it was being set up) is ignored.
 *
 * <p>Every attempt is bounded by the connect timeout ({@code PARLEY_DB_CONNECT_TIMEOUT}), so a
 * host that accepts TCP but never answers (or drops packets) cannot stall the backoff: pgjdbc-ng
 * 0.8.9 has no login timeout (it waits 60 s, uninterruptibly, for the server's answer to its
 * startup message, after Netty's 30 s TCP connect timeout), so the attempt runs on a connector
 * thread and is abandoned when the timeout passes; should it still succeed later, what it opened
 * is closed at once (the very first attempt, at start, waits at least {@link #FIRST_CONNECT_TIMEOUT_MS}).
 * Statements on the connection (LISTEN, the liveness query) carry the same
 * timeout as pgjdbc-ng's {@code networkTimeout}, after which it closes the connection.
 */
public final class PgListener implements NotificationBus {
    private static final Logger log = LoggerFactory.getLogger(PgListener.class);
    static final long MIN_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;
    static final long CHECK_EVERY_MS = 10_000;
    static final int CHECK_TIMEOUT_SECONDS = 5;
    /**
     * The floor of the very first attempt's timeout: pgjdbc-ng's first connection in a JVM loads
     * its classes, starts Netty and reads the type catalog (2.4 s measured on an idle machine),
     * and a start must not fail for that. Later attempts take about 0.1-0.3 s.
     */
    static final long FIRST_CONNECT_TIMEOUT_MS = 30_000;

    private final DatabaseUrl url;
    private final long connectTimeoutMs;
    /** Runs connection attempts; an abandoned one keeps its thread until pgjdbc-ng gives up. */
    private final ExecutorService connector = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "parley-listener-connect");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();
    private final List<StatusListener> statusListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService reconnector = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parley-listener");
        t.setDaemon(true);
        return t;
    });
    private final Object lock = new Object();
    private volatile PGConnection connection;
    private volatile boolean closed;
    private long backoffMs = MIN_BACKOFF_MS; // guarded by lock
    private boolean everConnected; // guarded by lock

    public PgListener(DatabaseUrl url, Duration connectTimeout) {
        this.url = url;
        this.connectTimeoutMs = connectTimeout.toMillis();
    }

    /** Connects now; throws if the first connection fails (start-up should fail loudly). */
    public void start() throws SQLException {
        synchronized (lock) {
            connect();
        }
        reconnector.scheduleWithFixedDelay(this::checkAlive, CHECK_EVERY_MS, CHECK_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    /** Called with {@code lock} held. */
    private void connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", url.user());
        if (url.password() != null) props.setProperty("password", url.password());
        props.setProperty("application.name", "parley-listener");
        props.setProperty("networkTimeout", Long.toString(connectTimeoutMs));
        PGConnection c = open("jdbc:pgsql://" + url.host() + ":" + url.port() + "/" + url.database(), props);
        try {
            c.addNotificationListener(new PGNotificationListener() {
                @Override
                public void notification(int processId, String channel, String payload) {
                    dispatch(channel, payload);
                }

                @Override
                public void closed() {
                    // on pgjdbc-ng's I/O thread: hand off, never wait for the lock here
                    try {
                        reconnector.execute(() -> lost(c));
                    } catch (RejectedExecutionException stopping) {
                        // close() is under way
                    }
                }
            });
            for (String channel : listeners.keySet()) {
                issueListen(c, channel);
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        connection = c;
        backoffMs = MIN_BACKOFF_MS;
        boolean reconnect = everConnected;
        everConnected = true;
        if (reconnect) {
            log.info("notification listener reconnected; {} channels listened again", listeners.size());
            statusListeners.forEach(StatusListener::onReconnected);
        }
    }

    /** Opens a connection within the connect timeout, or throws (see the class comment). Called with {@code lock} held. */
    private PGConnection open(String jdbc, Properties props) throws SQLException {
        CompletableFuture<PGConnection> attempt = new CompletableFuture<>();
        connector.execute(() -> {
            try {
                PGConnection c = DriverManager.getConnection(jdbc, props).unwrap(PGConnection.class);
                if (!attempt.complete(c)) closeQuietly(c); // abandoned meanwhile
            } catch (Throwable t) {
                attempt.completeExceptionally(t);
            }
        });
        long timeoutMs = everConnected ? connectTimeoutMs : Math.max(connectTimeoutMs, FIRST_CONNECT_TIMEOUT_MS);
        try {
            return attempt.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            attempt.completeExceptionally(new SQLTimeoutException(
                    "no answer from " + url.host() + ":" + url.port() + " within " + timeoutMs + " ms", "08001"));
            return result(attempt); // the connection, if it won the race with the line above
        } catch (InterruptedException e) {
            attempt.completeExceptionally(e);
            Thread.currentThread().interrupt();
            return result(attempt);
        } catch (ExecutionException e) {
            return result(attempt);
        }
    }

    private static PGConnection result(CompletableFuture<PGConnection> attempt) throws SQLException {
        try {
            return attempt.join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) throw sql;
            if (cause instanceof RuntimeException r) throw r;
            throw new SQLException("could not connect: " + cause, "08001", cause);
        }
    }

    private void dispatch(String channel, String payload) {
        List<Listener> ls = listeners.get(channel);
        if (ls == null) return;
        for (Listener l : ls) {
            try {
                l.onNotification(channel, payload);
            } catch (RuntimeException e) {
                log.error("listener of channel {} failed", channel, e);
            }
        }
    }

    /** Connection {@code c} is gone (listener thread). Ignored unless it is the current one. */
    private void lost(PGConnection c) {
        synchronized (lock) {
            if (closed || connection != c) return;
            connection = null;
        }
        closeQuietly(c);
        log.warn("notification listener connection lost; reconnecting");
        statusListeners.forEach(StatusListener::onDisconnected);
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        long delay;
        synchronized (lock) {
            delay = backoffMs;
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        }
        try {
            reconnector.schedule(this::reconnect, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // close() is under way
        }
    }

    private void reconnect() {
        if (closed) return;
        synchronized (lock) {
            if (connection != null) return;
            try {
                connect();
                return;
            } catch (SQLException e) {
                log.warn("notification listener reconnect failed ({}); retrying", e.getMessage());
            }
        }
        scheduleReconnect();
    }

    /** A connection that stopped answering without being closed is treated as lost. */
    private void checkAlive() {
        PGConnection c = connection;
        if (c == null || closed) return;
        boolean alive;
        synchronized (lock) {
            if (connection != c) return;
            try {
                alive = c.isValid(CHECK_TIMEOUT_SECONDS);
            } catch (SQLException e) {
                alive = false;
            }
        }
        if (!alive) {
            log.warn("notification listener connection did not answer within {} s", CHECK_TIMEOUT_SECONDS);
            lost(c);
        }
    }

    private static void closeQuietly(PGConnection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already broken
        }
    }

    @Override
    public void listen(String channel, Listener listener) {
        synchronized (lock) {
            boolean first = !listeners.containsKey(channel);
            listeners.computeIfAbsent(channel, k -> new CopyOnWriteArrayList<>()).add(listener);
            PGConnection c = connection;
            if (first && c != null) {
                try {
                    issueListen(c, channel);
                } catch (SQLException e) {
                    // the closed() callback reconnects and LISTENs every channel again
                    log.warn("LISTEN {} failed: {}", channel, e.getMessage());
                }
            }
        }
    }

    private static void issueListen(PGConnection c, String channel) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("LISTEN " + quoteIdentifier(channel));
        }
    }

    /** Channel names are chosen by Parley's code, but quote them anyway. */
    static String quoteIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void addStatusListener(StatusListener listener) {
        statusListeners.add(listener);
    }

    @Override
    public boolean isConnected() {
        PGConnection c = connection;
        if (c == null) return false;
        try {
            return !c.isClosed();
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        reconnector.shutdownNow();
        connector.shutdownNow();
        PGConnection c = connection;
        connection = null;
        if (c != null) closeQuietly(c);
    }
}
