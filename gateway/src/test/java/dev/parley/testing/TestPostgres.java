package dev.parley.testing;

import dev.parley.config.DatabaseUrl;
import dev.parley.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real Postgres per test JVM (the embedded one, or the server of PARLEY_TEST_DB_URL), a
 * template database migrated once, and a fresh clone of it per test class: cloning a template is
 * a file copy, far faster than migrating again.
 */
public final class TestPostgres {
    private static final String TEMPLATE = "parley_template";
    private static final AtomicInteger counter = new AtomicInteger();
    private static DatabaseUrl server;

    private TestPostgres() {
    }

    /** A new database, migrated, that no other test class uses. */
    public static synchronized DatabaseUrl newDatabase() {
        DatabaseUrl admin = server();
        String name = "test_" + ProcessHandle.current().pid() + "_" + counter.incrementAndGet();
        exec(admin, "create database " + name + " template " + TEMPLATE);
        return new DatabaseUrl(admin.host(), admin.port(), name, admin.user(), admin.password());
    }

    /** The superuser login of the test server (database postgres). */
    public static synchronized DatabaseUrl server() {
        if (server == null) {
            server = startServer();
            exec(server, "drop database if exists " + TEMPLATE);
            exec(server, "create database " + TEMPLATE);
            DatabaseUrl template = new DatabaseUrl(server.host(), server.port(), TEMPLATE, server.user(), server.password());
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(template.jdbcUrl());
            ds.setUser(template.user());
            if (template.password() != null) ds.setPassword(template.password());
            Migrations.apply(ds);
        }
        return server;
    }

    private static DatabaseUrl startServer() {
        String external = System.getenv("PARLEY_TEST_DB_URL");
        if (external != null && !external.isBlank()) return DatabaseUrl.parse("PARLEY_TEST_DB_URL", external);
        try {
            Path dataDir = Files.createTempDirectory("parley-test-pg");
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setServerConfig("max_connections", "400")
                    .setServerConfig("fsync", "off")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAndRemove(pg, dataDir), "test-postgres-stop"));
            return new DatabaseUrl("127.0.0.1", pg.getPort(), "postgres", "postgres", null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * At JVM exit: stops the server (fast shutdown), then leaves the data directory to a detached
     * {@code rm -rf}. By then it holds a database per test class, tens of thousands of files, and
     * deleting them inside the shutdown hook took longer than the 30 s Surefire grants a forked
     * JVM to exit (it then kills the fork and reports it). The detached process has no pipe to
     * Surefire, so nothing waits for it.
     */
    private static void stopAndRemove(EmbeddedPostgres pg, Path dataDir) {
        try {
            pg.close();
        } catch (IOException ignored) {
            // the JVM is exiting; the directory goes anyway
        }
        try {
            new ProcessBuilder("rm", "-rf", dataDir.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            System.err.println("test Postgres data left in " + dataDir + ": " + e.getMessage());
        }
    }

    public static void exec(DatabaseUrl url, String sql) {
        try (Connection c = connect(url); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public static Connection connect(DatabaseUrl url) throws SQLException {
        return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password() == null ? "" : url.password());
    }
}
