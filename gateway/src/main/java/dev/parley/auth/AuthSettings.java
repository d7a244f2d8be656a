package dev.parley.auth;

import dev.parley.config.Config;
import dev.parley.config.Env;

/**
 * The settings of /auth/v1, read and validated once at start (a bad value stops the start with
 * a line naming the variable). docs/configuration.md lists them with their defaults.
 */
record AuthSettings(
        long accessTokenLifetimeSeconds,
        String issuer,
        int passwordMinLength,
        int bcryptCost,
        boolean confirmEmail,
        boolean disableSignup,
        long refreshReuseIntervalSeconds,
        int rateLimitPerEmail,
        int rateLimitPerAddress,
        long rateLimitWindowSeconds,
        boolean trustProxy,
        long sessionTimeboxSeconds,
        long sessionInactivitySeconds) {

    /** GoTrue's defaults: minimum length 6, bcrypt cost 10, reuse interval 10 s. */
    static final int DEFAULT_PASSWORD_MIN_LENGTH = 6;
    static final int DEFAULT_BCRYPT_COST = 10;
    static final long DEFAULT_REUSE_INTERVAL_SECONDS = 10;
    static final int DEFAULT_RATE_LIMIT_PER_EMAIL = 10;
    static final int DEFAULT_RATE_LIMIT_PER_ADDRESS = 100;
    static final long DEFAULT_RATE_LIMIT_WINDOW_SECONDS = 300;
    static final String DEFAULT_ISSUER = "parley";
    /** bcrypt reads at most 72 bytes; GoTrue refuses longer passwords rather than truncate them. */
    static final int MAX_PASSWORD_BYTES = 72;
    /** Session limits up to ten years. */
    static final long MAX_SESSION_SECONDS = 10L * 366 * 24 * 3600;

    static AuthSettings from(Config config) {
        Env env = config.env();
        return new AuthSettings(
                config.accessTokenLifetimeSeconds(),
                env.string("PARLEY_AUTH_ISSUER", DEFAULT_ISSUER),
                env.intInRange("PARLEY_AUTH_PASSWORD_MIN_LENGTH", DEFAULT_PASSWORD_MIN_LENGTH, 1, MAX_PASSWORD_BYTES),
                env.intInRange("PARLEY_AUTH_BCRYPT_COST", DEFAULT_BCRYPT_COST, 4, 16),
                env.bool("PARLEY_AUTH_CONFIRM_EMAIL", false),
                env.bool("PARLEY_AUTH_DISABLE_SIGNUP", false),
                env.longInRange("PARLEY_AUTH_REFRESH_REUSE_INTERVAL", DEFAULT_REUSE_INTERVAL_SECONDS, 0, 3600),
                env.intInRange("PARLEY_AUTH_RATE_LIMIT_EMAIL", DEFAULT_RATE_LIMIT_PER_EMAIL, 0, 1_000_000),
                env.intInRange("PARLEY_AUTH_RATE_LIMIT_ADDRESS", DEFAULT_RATE_LIMIT_PER_ADDRESS, 0, 1_000_000),
                env.longInRange("PARLEY_AUTH_RATE_LIMIT_WINDOW", DEFAULT_RATE_LIMIT_WINDOW_SECONDS, 1, 86_400),
                env.bool("PARLEY_TRUST_PROXY", false),
                // GoTrue's sessions.timebox and sessions.inactivity_timeout; 0 (the default) = none.
                env.longInRange("PARLEY_AUTH_SESSION_TIMEBOX", 0, 0, MAX_SESSION_SECONDS),
                env.longInRange("PARLEY_AUTH_SESSION_INACTIVITY_TIMEOUT", 0, 0, MAX_SESSION_SECONDS));
    }
}
