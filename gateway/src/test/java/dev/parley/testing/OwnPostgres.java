package dev.parley.testing;

import dev.parley.config.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * A Postgres of one test class's own, for tests that stop and start it under a running gateway
 * (the shared {@link TestPostgres} server must never stop under the other classes). Its data
 * directory and port are kept across {@link #stop()} and {@link #start()}, so the gateway finds
 * the same database at the same address once it is back. Migrated by the gateway that starts on
 * it ({@link TestGateway#startOn}).
 */
public final class OwnPostgres implements AutoCloseable {
    private final Path dataDir;
    private EmbeddedPostgres pg;
    private int port;

    private OwnPostgres(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** A new, empty server on a free port. */
    public static OwnPostgres start(String name) {
        try {
            OwnPostgres own = new OwnPostgres(Files.createTempDirectory("parley-" + name + "-pg"));
            own.start();
            return own;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The superuser login (database postgres). */
    public DatabaseUrl url() {
        return new DatabaseUrl("127.0.0.1", port, "postgres", "postgres", null);
    }

    public int port() {
        return port;
    }

    /** Stops the server (fast shutdown: sessions are ended, as in a restart). */
    public void stop() throws IOException {
        if (pg != null) pg.close();
        pg = null;
    }

    /** Starts it again on the same port, with the same data. */
    public void start() throws IOException {
        if (pg != null) return;
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setServerConfig("fsync", "off");
        if (port > 0) b.setPort(port);
        pg = b.start();
        port = pg.getPort();
    }

    @Override
    public void close() throws IOException {
        stop();
        try (var files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
