package dev.parley.db;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.auth.Caller;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Runs work as a caller: one transaction on an authenticator connection, opened by a single
 * statement that sets the role and the JWT settings transaction-locally, so nothing a caller
 * sets survives into the next borrower of the connection and RLS applies to everything inside.
 */
public final class RequestTransactions {
    /**
     * The set-up statement: one round trip. The benchmark drives pgbench with this same text.
     * app.user_id mirrors sub for policies written as in the original chat design.
     */
    public static final String SET_CALLER = "select set_config('role', ?, true), "
            + "set_config('request.jwt.claims', ?, true), "
            + "set_config('request.jwt.claim.sub', ?, true), "
            + "set_config('request.jwt.claim.role', ?, true), "
            + "set_config('app.user_id', ?, true)";

    private final HikariDataSource pool;

    public RequestTransactions(HikariDataSource pool) {
        this.pool = pool;
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction as {@code caller} and commits; any exception rolls
     * back. A connection found dead by the set-up statement (typical right after a Postgres
     * restart, before the pool has noticed) is evicted and the whole attempt retried once: nothing
     * of the caller's has run yet, so the retry is safe.
     */
    public <T> T run(Caller caller, boolean readOnly, Work<T> work) throws SQLException {
        try {
            return attempt(caller, readOnly, work);
        } catch (DeadConnection dead) {
            return attempt(caller, readOnly, work);
        }
    }

    private <T> T attempt(Caller caller, boolean readOnly, Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(readOnly);
            try {
                setCaller(c, caller);
            } catch (SQLException e) {
                if (isConnectionFailure(e)) {
                    pool.evictConnection(c);
                    throw new DeadConnection(e);
                }
                rollbackQuietly(c);
                throw e;
            }
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                if (readOnly) c.setReadOnly(false);
            }
        }
    }

    /** Sets role and claims on a connection already inside a transaction. */
    public static void setCaller(Connection c, Caller caller) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(SET_CALLER)) {
            st.setString(1, caller.role());
            st.setString(2, caller.claimsJson());
            st.setString(3, caller.sub());
            st.setString(4, caller.role());
            st.setString(5, caller.sub());
            st.execute();
        }
    }

    static boolean isConnectionFailure(SQLException e) {
        String s = e.getSQLState();
        return s != null && (s.startsWith("08") || s.equals("57P01") || s.equals("57P02") || s.equals("57P03"));
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    private static final class DeadConnection extends SQLException {
        DeadConnection(SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
        }
    }
}
