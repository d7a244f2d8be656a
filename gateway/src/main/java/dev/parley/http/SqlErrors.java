package dev.parley.http;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * The one mapping from SQLSTATE to HTTP status, as PostgREST's (docs/errors.md). Every SQL error
 * that reaches a caller passes through here, so the same failure always means the same status.
 */
public final class SqlErrors {
    private SqlErrors() {
    }

    /** The ApiError for a database error raised while serving {@code role}. */
    public static ApiError toApiError(SQLException e, String role) {
        DatabaseUnavailable unavailable = unavailable(e);
        if (unavailable != null) return unavailable;
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage();
        String details = null;
        String hint = null;
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            message = m.getMessage();
            details = m.getDetail();
            hint = m.getHint();
            // RAISE SQLSTATE 'PGRST': the function wrote the whole answer as JSON (PostgREST).
            if (state.equals("PGRST")) return RaisedError.of(message, details);
        }
        int status = state.equals("21000") && message != null && message.endsWith("requires a WHERE clause")
                ? 400 : status(state, role);
        return new ApiError(status, state.isEmpty() ? "PGRST000" : state, message, details, hint);
    }

    /**
     * The one rule for "no connection to work with", every area's (REST, auth, storage): the
     * error when {@code e} means the database could not be used at all, else null (an error of
     * the statement, mapped by its SQLSTATE).
     *
     * <p>Hikari reports a borrow that timed out as {@link SQLTransientConnectionException} with
     * the SQLSTATE and cause of its last failed connection attempt, if any. With a cause, the
     * pool could not connect (database down, unreachable, login refused): 503 PGRST000 whatever
     * that SQLSTATE was. Without one, the pool had connections and all were busy: 504 PGRST003.
     * A pgjdbc error of class 08 that the server did not send (the socket broke, the connect
     * failed) is PostgREST's client error, 503 PGRST001; 08xxx sent by the server keep their code.
     */
    public static DatabaseUnavailable unavailable(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            Throwable cause = e.getCause();
            return cause == null ? DatabaseUnavailable.poolTimeout() : DatabaseUnavailable.connection(messageOf(cause));
        }
        String state = e.getSQLState();
        boolean fromServer = e instanceof PSQLException p && p.getServerErrorMessage() != null;
        if (state != null && state.startsWith("08") && !fromServer) return DatabaseUnavailable.client(e.getMessage());
        return null;
    }

    private static String messageOf(Throwable t) {
        if (t instanceof PSQLException p && p.getServerErrorMessage() != null) return p.getServerErrorMessage().getMessage();
        return t.getMessage();
    }

    /** PostgREST's table: https://postgrest.org/en/stable/references/errors.html */
    public static int status(String state, String role) {
        if (state.startsWith("08")) return 503;
        if (state.startsWith("09")) return 500;
        if (state.startsWith("0L")) return 403;
        if (state.startsWith("0P")) return 403;
        // a subquery returning several rows is a server-side bug (pg-safeupdate's refusal of a
        // DELETE/UPDATE without WHERE, also 21000, is the client's: see toApiError)
        if (state.equals("21000")) return 500;
        if (state.equals("23503")) return 409;
        if (state.equals("23505")) return 409;
        if (state.startsWith("23")) return 400;
        if (state.equals("25006")) return 405;
        if (state.startsWith("25")) return 500;
        if (state.startsWith("28")) return 403;
        if (state.startsWith("2D")) return 500;
        if (state.startsWith("38")) return 500;
        if (state.startsWith("39")) return 500;
        if (state.startsWith("3B")) return 500;
        if (state.startsWith("40")) return 500;
        if (state.equals("53400")) return 500;
        if (state.startsWith("53")) return 503;
        if (state.startsWith("54")) return 500;
        if (state.startsWith("55")) return 500;
        if (state.equals("57P01")) return 503;
        if (state.equals("57014")) return 500;
        if (state.startsWith("57")) return 500;
        if (state.startsWith("58")) return 500;
        if (state.startsWith("F0")) return 500;
        if (state.startsWith("HV")) return 500;
        if (state.equals("P0001")) return 400;
        if (state.startsWith("P0")) return 500;
        if (state.startsWith("XX")) return 500;
        if (state.equals("42883")) return 404;
        if (state.equals("42P01")) return 404;
        if (state.equals("42P17")) return 500;
        if (state.equals("42501")) return "anon".equals(role) ? 401 : 403;
        if (state.startsWith("42")) return 400;
        if (state.startsWith("22")) return 400;
        // PT... : a status chosen by the raising function, as PostgREST (e.g. PT404).
        if (state.length() == 5 && state.startsWith("PT")) {
            try {
                int s = Integer.parseInt(state.substring(2));
                if (s >= 100 && s <= 599) return s;
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        return 400;
    }
}
