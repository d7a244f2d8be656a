package dev.parley.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every setting of a gateway, read once from the environment and validated before anything
 * starts. A bad value fails fast with one line naming the variable (see {@link ConfigException}).
 * Defaults are the constants below; docs/configuration.md lists them for users.
 *
 * <p>Settings of one area only (realtime, auth, storage) are read by that area's own settings
 * record from {@link #env()} while the gateway starts, with the same validation, so a bad value
 * still stops the start with one line naming the variable.
 */
public record Config(
        String host,
        int port,
        Path dataDir,
        DatabaseUrl databaseUrl,
        int embeddedDbPort,
        String jwtSecret,
        String authenticatorPassword,
        int poolSize,
        long maxBodyBytes,
        List<String> exposedSchemas,
        long accessTokenLifetimeSeconds,
        Env env) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 54321;
    public static final String DEFAULT_DATA_DIR = ".parley";
    public static final int DEFAULT_DB_PORT = 54322;
    public static final int DEFAULT_POOL_SIZE = 10;
    public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;
    public static final String DEFAULT_SCHEMAS = "public";
    public static final long DEFAULT_JWT_EXPIRY_SECONDS = 3600;
    /** HS256 needs a key of at least 256 bits. */
    public static final int MIN_SECRET_BYTES = 32;

    /** True when no external database is configured and the gateway runs its own Postgres. */
    public boolean embeddedDatabase() {
        return databaseUrl == null;
    }

    public static Config fromEnvironment() {
        return from(System.getenv());
    }

    /** Reads and validates every PARLEY_* variable of {@code env}. */
    public static Config from(Map<String, String> env) {
        Env r = new Env(env);
        String host = r.string("PARLEY_HOST", DEFAULT_HOST);
        int port = r.port("PARLEY_PORT", DEFAULT_PORT);
        Path dataDir = Path.of(r.string("PARLEY_DATA_DIR", DEFAULT_DATA_DIR)).toAbsolutePath().normalize();
        String rawUrl = r.string("PARLEY_DB_URL", null);
        DatabaseUrl dbUrl = rawUrl == null ? null : DatabaseUrl.parse("PARLEY_DB_URL", rawUrl);
        int dbPort = r.port("PARLEY_DB_PORT", DEFAULT_DB_PORT);
        String secret = r.string("PARLEY_JWT_SECRET", null);
        if (secret != null && secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new ConfigException("PARLEY_JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes long");
        }
        if (secret == null && dbUrl != null) {
            throw new ConfigException("PARLEY_JWT_SECRET must be set when PARLEY_DB_URL points at an external database"
                    + " (every gateway sharing the database needs the same secret)");
        }
        String authenticatorPassword = r.string("PARLEY_AUTHENTICATOR_PASSWORD", null);
        int poolSize = r.intInRange("PARLEY_DB_POOL_SIZE", DEFAULT_POOL_SIZE, 1, 1000);
        long maxBody = r.longInRange("PARLEY_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1024, Long.MAX_VALUE);
        List<String> schemas = r.identifierList("PARLEY_DB_SCHEMAS", DEFAULT_SCHEMAS);
        long jwtExpiry = r.longInRange("PARLEY_JWT_EXPIRY", DEFAULT_JWT_EXPIRY_SECONDS, 30, 31L * 24 * 3600);
        return new Config(host, port, dataDir, dbUrl, dbPort, secret, authenticatorPassword, poolSize, maxBody,
                schemas, jwtExpiry, r);
    }

    /** A copy with the given secret; used once the embedded database has produced or loaded one. */
    public Config withJwtSecret(String secret) {
        return new Config(host, port, dataDir, databaseUrl, embeddedDbPort, secret, authenticatorPassword, poolSize,
                maxBodyBytes, exposedSchemas, accessTokenLifetimeSeconds, env);
    }
}
