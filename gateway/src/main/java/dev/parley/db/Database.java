package dev.parley.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.config.Config;
import dev.parley.config.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The database a gateway serves: the embedded Postgres (started here, data kept in
 * PARLEY_DATA_DIR/postgres) or an external one from PARLEY_DB_URL.
 *
 * <p>Two logins are used. The <em>admin</em> login (the embedded superuser or the PARLEY_DB_URL
 * user) runs migrations, the notification listener and the internal work of auth and storage
 * through a small pool. Requests run through the <em>request pool</em>, logged in as
 * {@code authenticator}: a NOINHERIT role with no privileges of its own, so a request can only
 * act through the role its token names, and a function that runs RESET ROLE lands nowhere.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    public static final String AUTHENTICATOR = "authenticator";

    private final EmbeddedPostgres embedded;
    private final DatabaseUrl admin;
    private final DatabaseSettings settings;
    private final HikariDataSource adminPool;
    private final HikariDataSource healthPool;
    private HikariDataSource requestPool;

    private Database(EmbeddedPostgres embedded, DatabaseUrl admin, DatabaseSettings settings) {
        this.embedded = embedded;
        this.admin = admin;
        this.settings = settings;
        this.adminPool = pool("parley-admin", admin, 4, settings);
        this.healthPool = pool("parley-health", admin, 1, settings);
    }

    /** Starts the embedded database or connects to the external one; no migration yet. */
    public static Database open(Config config) {
        DatabaseSettings settings = DatabaseSettings.from(config);
        if (!config.embeddedDatabase()) {
            return new Database(null, config.databaseUrl(), settings);
        }
        Path dir = config.dataDir().resolve("postgres");
        try {
            Files.createDirectories(dir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setPort(config.embeddedDbPort())
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "300")
                    .start();
            log.info("embedded Postgres listening on 127.0.0.1:{}, data in {}", pg.getPort(), dir);
            return new Database(pg, new DatabaseUrl("127.0.0.1", pg.getPort(), "postgres", "postgres", null), settings);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded Postgres in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens the request pool as {@code authenticator}. Called after migrations created the role.
     * With no explicit password the gateway derives one from the JWT secret and sets it, so every
     * gateway sharing the database (they share the secret) agrees on it without more settings.
     */
    public void openRequestPool(Config config) throws SQLException {
        String password = config.authenticatorPassword() != null
                ? config.authenticatorPassword()
                : Secrets.derive(config.jwtSecret(), "authenticator-password");
        try (Connection c = adminPool.getConnection();
             PreparedStatement st = c.prepareStatement("select parley.set_authenticator_password(?)")) {
            st.setString(1, password);
            st.execute();
        }
        DatabaseUrl login = new DatabaseUrl(admin.host(), admin.port(), admin.database(), AUTHENTICATOR, password);
        requestPool = pool("parley-requests", login, config.poolSize(), settings);
    }

    /**
     * A pool whose borrowers wait at most the acquisition timeout (then {@code SqlErrors} answers
     * 503 or 504), and whose connection attempts end after the connect timeout: pgjdbc's
     * {@code connectTimeout} bounds the TCP connect, {@code loginTimeout} the whole attempt (TLS
     * and authentication included), so a host that drops packets cannot hold the pool's
     * connection creator for the operating system's TCP timeout.
     */
    private static HikariDataSource pool(String name, DatabaseUrl url, int size, DatabaseSettings settings) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(name);
        hc.setJdbcUrl(url.jdbcUrl());
        hc.setUsername(url.user());
        if (url.password() != null) hc.setPassword(url.password());
        hc.setMaximumPoolSize(size);
        hc.setMinimumIdle(Math.min(2, size));
        long acquisitionMs = settings.poolAcquisitionTimeout().toMillis();
        hc.setConnectionTimeout(acquisitionMs);
        // Hikari's default (5 s) may not exceed the acquisition timeout
        hc.setValidationTimeout(Math.min(5_000, acquisitionMs));
        // Fail at the first borrow rather than at start: start-up waits for the database itself.
        hc.setInitializationFailTimeout(-1);
        hc.setKeepaliveTime(60_000);
        hc.addDataSourceProperty("ApplicationName", name);
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        long connectSeconds = Math.max(1, settings.connectTimeout().toSeconds());
        hc.addDataSourceProperty("connectTimeout", Long.toString(connectSeconds));
        hc.addDataSourceProperty("loginTimeout", Long.toString(connectSeconds));
        return new HikariDataSource(hc);
    }

    /** The admin login's pool: migrations, auth and storage internals. Never serves a caller's query. */
    public DataSource adminPool() {
        return adminPool;
    }

    /**
     * One connection for {@code GET /health} alone, so that a health check waits only on the
     * database, never behind the admin pool's real work: a node busy with realtime must not be
     * reported down and taken out by its load balancer.
     */
    public DataSource healthPool() {
        return healthPool;
    }

    /** Connections logged in as authenticator; see {@link RequestTransactions}. */
    public HikariDataSource requestPool() {
        if (requestPool == null) throw new IllegalStateException("request pool not open yet");
        return requestPool;
    }

    public DatabaseSettings settings() {
        return settings;
    }

    /** Where the admin login connects: used by the notification listener (its own connection). */
    public DatabaseUrl adminUrl() {
        return admin;
    }

    public boolean embedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (requestPool != null) requestPool.close();
        healthPool.close();
        adminPool.close();
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                log.warn("embedded Postgres did not stop cleanly: {}", e.getMessage());
            }
        }
    }
}
