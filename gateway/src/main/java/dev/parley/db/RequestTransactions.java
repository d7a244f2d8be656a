package dev.parley.db;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.auth.Caller;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Runs work as a caller: one transaction on an authenticator connection, opened by a single
 * statement that sets the role and the JWT settings transaction-locally, so nothing a caller
 * sets survives into the next borrower of the connection and RLS applies to everything inside.
 *
 * <p>Two ways in. {@link #run} opens a transaction for any number of statements and Java
 * decisions between them: three round trips at least (BEGIN with the set-up, the work, COMMIT).
 * {@link #single} runs exactly one statement in one round trip: {@code BEGIN}, the set-up, the
 * statement and {@code COMMIT} go as one multi-statement extended-protocol pipeline, which pgjdbc
 * sends (with autocommit on) before a single Sync. What {@code single} cannot do is look at the
 * statement's result before the commit: a check that must roll back a write it dislikes (a
 * singular response that found two rows) needs {@code run}.
 *
 * <p>Why an explicit BEGIN and COMMIT rather than the implicit transaction that Postgres makes of
 * everything before a Sync: pgjdbc may insert a Sync of its own between the statements of a
 * pipeline (when it has described a statement whose result size it cannot bound, so as not to
 * deadlock on full socket buffers). An implicit transaction would then end after the set-up and
 * the statement run as authenticator without the caller's claims; an explicit one survives any
 * Sync. ({@code Sql} binds its values so that pgjdbc never needs that description, keeping the
 * one round trip; the explicit transaction keeps the semantics whatever pgjdbc does.)
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

    /** The parameters of the set-up statement; the work's are numbered after them. */
    private static final int SET_CALLER_PARAMETERS = 5;

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

    @FunctionalInterface
    public interface Result<T> {
        /**
         * Reads the result of the statement {@code st} executed: its {@code getResultSet()} (a
         * query) or {@code getLargeUpdateCount()} (a write without RETURNING).
         */
        T read(Statement st) throws SQLException;
    }

    /**
     * Runs {@code statement} as {@code caller} in one round trip (see the class comment) and
     * reads its result with {@code result}; the transaction has committed by then. Read-only
     * makes the transaction read-only, as in {@link #run}. {@code statement} must be exactly one
     * statement (no {@code ;}).
     *
     * <p>A dead connection is evicted and the request retried once where that cannot apply a
     * write twice: always for read-only work, and for a write when Postgres said it terminated
     * the session (57P01-57P03: its transaction never committed). An I/O failure in the middle of
     * a write leaves unknown whether it committed, so it is not retried.
     */
    public <T> T single(Caller caller, boolean readOnly, BoundStatement statement, Result<T> result) throws SQLException {
        try {
            return singleAttempt(caller, readOnly, statement, result);
        } catch (DeadConnection dead) {
            return singleAttempt(caller, readOnly, statement, result);
        }
    }

    private <T> T singleAttempt(Caller caller, boolean readOnly, BoundStatement statement, Result<T> result)
            throws SQLException {
        // No whitespace after the semicolons: pgjdbc keeps it in each statement's text, and
        // Postgres would log each statement from a new line (bench/rest/run.sh reads that log).
        String text = (readOnly ? "begin read only" : "begin") + ";" + SET_CALLER + ";" + statement.text() + ";commit";
        try (Connection c = pool.getConnection()) {
            // The pool's default, stated: with autocommit off pgjdbc would send a BEGIN of its own
            // and leave the transaction open for a COMMIT, another round trip.
            c.setAutoCommit(true);
            try (PreparedStatement st = c.prepareStatement(text)) {
                bindCaller(st, caller);
                statement.bind(st, SET_CALLER_PARAMETERS + 1);
                try {
                    st.execute();
                } catch (SQLException e) {
                    if (isConnectionFailure(e)) {
                        pool.evictConnection(c);
                        if (readOnly || isTermination(e)) throw new DeadConnection(e);
                        throw e;
                    }
                    // Postgres skipped the rest up to the Sync, COMMIT included: the transaction
                    // is open and failed, and must not reach the next borrower so.
                    rollbackExplicitly(c);
                    throw e;
                }
                // The results in order: BEGIN's, the set-up's row, the statement's, COMMIT's.
                st.getMoreResults();
                st.getMoreResults();
                return result.read(st);
            }
        }
    }

    /**
     * Runs {@code statement} on a connection inside {@link #run}'s transaction and reads its
     * result: the same statement as {@link #single} takes, for work that checks the result before
     * it commits.
     */
    public static <T> T execute(Connection c, BoundStatement statement, Result<T> result) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(statement.text())) {
            statement.bind(st, 1);
            st.execute();
            return result.read(st);
        }
    }

    /** Sets role and claims on a connection already inside a transaction. */
    public static void setCaller(Connection c, Caller caller) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(SET_CALLER)) {
            bindCaller(st, caller);
            st.execute();
        }
    }

    private static void bindCaller(PreparedStatement st, Caller caller) throws SQLException {
        st.setString(1, caller.role());
        st.setString(2, caller.claimsJson());
        st.setString(3, caller.sub());
        st.setString(4, caller.role());
        st.setString(5, caller.sub());
    }

    static boolean isConnectionFailure(SQLException e) {
        String s = e.getSQLState();
        return s != null && (s.startsWith("08") || s.equals("57P01") || s.equals("57P02") || s.equals("57P03"));
    }

    /** Postgres ended the session (admin command, crash recovery, shutdown): nothing of it commits after. */
    private static boolean isTermination(SQLException e) {
        String s = e.getSQLState();
        return s != null && s.startsWith("57P");
    }

    /** ROLLBACK as a statement: pgjdbc refuses {@code rollback()} with autocommit on. */
    private void rollbackExplicitly(Connection c) {
        try (Statement st = c.createStatement()) {
            st.execute("rollback");
        } catch (SQLException e) {
            pool.evictConnection(c);
        }
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
