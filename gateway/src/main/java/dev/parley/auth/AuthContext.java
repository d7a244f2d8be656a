package dev.parley.auth;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What the /auth/v1 endpoints share. All their SQL runs on the admin pool: the auth service is
 * the identity service and manages auth.* beneath RLS, with bound parameters only.
 */
record AuthContext(
        DataSource pool,
        AuthSettings settings,
        Jwt jwt,
        Passwords passwords,
        RefreshTokens refreshTokens,
        AccessTokens accessTokens,
        RateLimiter rateLimiter) {

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction and commits. A {@link RefreshTokens.ReuseDetected}
     * commits too (the session deletion must stick) before it is turned into the refusal.
     */
    <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (RefreshTokens.ReuseDetected reuse) {
                c.commit();
                throw reuse.error();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    <T> T read(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        }
    }
}
