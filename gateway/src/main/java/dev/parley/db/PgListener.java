package dev.parley.db;

import com.impossibl.postgres.api.jdbc.PGConnection;
import com.impossibl.postgres.api.jdbc.PGNotificationListener;
import dev.parley.config.DatabaseUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node's listener: one pgjdbc-ng connection whose asynchronous notification listener
 * delivers in about 0.1 ms. pgjdbc-ng neither reconnects nor re-LISTENs by itself, so its
 * {@code closed()} callback schedules a reconnect with capped exponential backoff (100 ms to 5 s);
 * after reconnecting, every channel is LISTENed again and status listeners are told to resync,
 * since notifications committed while the connection was down are gone.
 *
 * <p>Notifications are delivered on pgjdbc-ng's I/O thread, in commit order; listeners must hand
 * work off rather than block it.
 */
public final class PgListener implements NotificationBus {
    private static final Logger log = LoggerFactory.getLogger(PgListener.class);
    static final long MIN_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;

    private final DatabaseUrl url;
    private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();
    private final List<StatusListener> statusListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService reconnector = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parley-listener-reconnect");
        t.setDaemon(true);
        return t;
    });
    private final Object lock = new Object();
    private volatile PGConnection connection;
    private volatile boolean closed;
    private long backoffMs = MIN_BACKOFF_MS;
    private boolean everConnected;

    public PgListener(DatabaseUrl url) {
        this.url = url;
    }

    /** Connects now; throws if the first connection fails (start-up should fail loudly). */
    public void start() throws SQLException {
        synchronized (lock) {
            connect();
        }
    }

    private void connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", url.user());
        if (url.password() != null) props.setProperty("password", url.password());
        props.setProperty("application.name", "parley-listener");
        String jdbc = "jdbc:pgsql://" + url.host() + ":" + url.port() + "/" + url.database();
        PGConnection c = DriverManager.getConnection(jdbc, props).unwrap(PGConnection.class);
        c.addNotificationListener(new PGNotificationListener() {
            @Override
            public void notification(int processId, String channel, String payload) {
                dispatch(channel, payload);
            }

            @Override
            public void closed() {
                onClosed();
            }
        });
        for (String channel : listeners.keySet()) {
            issueListen(c, channel);
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

    private void onClosed() {
        if (closed) return;
        connection = null;
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
        reconnector.schedule(() -> {
            if (closed) return;
            synchronized (lock) {
                if (connection != null) return;
                try {
                    connect();
                } catch (SQLException e) {
                    log.warn("notification listener reconnect failed ({}); retrying", e.getMessage());
                    reconnectLater();
                }
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void reconnectLater() {
        // called with lock held; scheduling does not need it
        reconnector.execute(this::scheduleReconnect);
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
        PGConnection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
