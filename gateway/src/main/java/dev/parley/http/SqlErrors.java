package dev.parley.http;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.SQLException;

/**
 * The one mapping from SQLSTATE to HTTP status, as PostgREST's (docs/errors.md). Every SQL error
 * that reaches a caller passes through here, so the same failure always means the same status.
 */
public final class SqlErrors {
    private SqlErrors() {
    }

    /** The ApiError for a database error raised while serving {@code role}. */
    public static ApiError toApiError(SQLException e, String role) {
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
