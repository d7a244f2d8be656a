package dev.parley.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes the bytes of versions no row refers to any more. The trigger on storage.objects
 * queues a version in parley.storage_garbage in the same transaction that replaces or deletes
 * it, so bytes are deleted only after that change committed: a refused or failed change never
 * loses an object's content. Sweeps run right after each API change, and every minute for changes
 * made with psql. Claimed with SKIP LOCKED, so gateways sharing the database do not collide; the
 * queue entry is removed only after the bytes are gone (at-least-once).
 */
final class Garbage implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Garbage.class);
    private static final int BATCH = 500;

    private final DataSource admin;
    private final ObjectStore store;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "storage-garbage");
        t.setDaemon(true);
        return t;
    });

    Garbage(DataSource admin, ObjectStore store) {
        this.admin = admin;
        this.store = store;
    }

    void startPeriodicSweeps() {
        timer.scheduleWithFixedDelay(this::sweepQuietly, 0, 60, TimeUnit.SECONDS);
    }

    /** Sweeps now; a failure is logged and left for the next sweep. */
    void sweepQuietly() {
        try {
            while (sweepBatch() == BATCH) {
                // more queued than one batch: keep going
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("storage garbage sweep failed, will retry: {}", e.toString());
        }
    }

    private int sweepBatch() throws SQLException {
        try (Connection c = admin.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<String> versions = new ArrayList<>();
                try (PreparedStatement st = c.prepareStatement("select version from parley.storage_garbage "
                        + "order by queued_at limit " + BATCH + " for update skip locked");
                     ResultSet rs = st.executeQuery()) {
                    while (rs.next()) versions.add(rs.getString(1));
                }
                List<String> done = new ArrayList<>();
                for (String v : versions) {
                    try {
                        store.delete(v);
                        done.add(v);
                    } catch (IllegalArgumentException e) {
                        done.add(v); // not a key this gateway wrote (a version set with psql): nothing to delete
                    } catch (IOException e) {
                        log.warn("could not delete stored bytes {}: {}", v, e.toString());
                    }
                }
                if (!done.isEmpty()) {
                    try (PreparedStatement del = c.prepareStatement("delete from parley.storage_garbage where version = any(?)")) {
                        del.setArray(1, c.createArrayOf("text", done.toArray()));
                        del.executeUpdate();
                    }
                }
                c.commit();
                return done.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
