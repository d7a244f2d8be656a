package dev.parley.db;

import dev.parley.config.Config;
import dev.parley.config.Env;

import java.time.Duration;

/**
 * How long the gateway waits on the database, read and validated once at start (a bad value
 * stops the start with a line naming the variable). docs/configuration.md lists them.
 *
 * @param poolAcquisitionTimeout how long a request waits for a pooled connection before it is
 *                               answered 503 (database unreachable) or 504 (every connection busy)
 * @param connectTimeout         how long one attempt to open a connection (TCP connect, TLS,
 *                               login) may take, for the pools and the notification listener;
 *                               without it an attempt against a host that drops packets waits for
 *                               the operating system's TCP timeout (about two minutes)
 */
public record DatabaseSettings(Duration poolAcquisitionTimeout, Duration connectTimeout) {
    /** PostgREST's db-pool-acquisition-timeout default. */
    public static final int DEFAULT_POOL_ACQUISITION_TIMEOUT_SECONDS = 10;
    public static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;

    public static DatabaseSettings from(Config config) {
        Env env = config.env();
        return new DatabaseSettings(
                Duration.ofSeconds(env.intInRange("PARLEY_DB_POOL_ACQUISITION_TIMEOUT",
                        DEFAULT_POOL_ACQUISITION_TIMEOUT_SECONDS, 1, 600)),
                Duration.ofSeconds(env.intInRange("PARLEY_DB_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT_SECONDS, 1, 600)));
    }
}
