package dev.parley.rest.schema;

import dev.parley.db.NotificationBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The REST API's view of the database, reloaded without a restart: on {@code NOTIFY pgrst,
 * 'reload schema'} (sent by the event triggers of sql/V2 after any DDL, or by hand) and after
 * the listener reconnects (DDL may have happened meanwhile). A burst of DDL coalesces into one
 * reload. Requests always see a complete snapshot, the old one until the new one is loaded.
 */
public final class SchemaCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SchemaCache.class);
    public static final String CHANNEL = "pgrst";
    private static final long COALESCE_MILLIS = 20;

    private final DataSource admin;
    private final List<String> schemas;
    private final ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parley-schema-cache");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean reloadPending = new AtomicBoolean();
    private volatile SchemaSnapshot current;

    private SchemaCache(DataSource admin, List<String> schemas) {
        this.admin = admin;
        this.schemas = List.copyOf(schemas);
    }

    /** Loads the first snapshot and starts following DDL through {@code bus}. */
    public static SchemaCache start(DataSource admin, List<String> schemas, NotificationBus bus) throws SQLException {
        SchemaCache cache = new SchemaCache(admin, schemas);
        bus.listen(CHANNEL, (channel, payload) -> {
            if (payload == null || payload.isBlank() || payload.trim().equalsIgnoreCase("reload schema")) {
                cache.requestReload();
            }
        });
        bus.addStatusListener(new NotificationBus.StatusListener() {
            @Override
            public void onDisconnected() {
            }

            @Override
            public void onReconnected() {
                cache.requestReload();
            }
        });
        cache.reload();
        return cache;
    }

    public SchemaSnapshot snapshot() {
        return current;
    }

    /** Schedules one reload shortly; further requests until it runs are merged into it. */
    public void requestReload() {
        if (reloadPending.compareAndSet(false, true)) {
            reloader.schedule(() -> {
                reloadPending.set(false);
                try {
                    reload();
                } catch (SQLException | RuntimeException e) {
                    log.warn("schema cache reload failed, keeping the previous one: {}", e.toString());
                }
            }, COALESCE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Loads a snapshot now, in one read-only transaction so that it is consistent. */
    public void reload() throws SQLException {
        try (Connection c = admin.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                current = SchemaLoader.load(c, schemas);
                c.commit();
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
        log.debug("schema cache loaded: {} relations", current.relations().size());
    }

    @Override
    public void close() {
        reloader.shutdownNow();
    }
}
