package dev.parley.http;

/**
 * The database could not serve a request at all: no connection could be had. PostgREST's
 * answers, whichever SQLSTATE the last failed attempt happened to carry (a refused login can
 * carry 42501 or P0001, which must not turn an outage into a 403 or a 400):
 * <ul>
 *   <li>503 {@code PGRST000} "Database connection error." when the database cannot be reached
 *       or refuses the login ({@code details}: what the driver said);</li>
 *   <li>503 {@code PGRST001} "Database client error. Retrying the connection." when a
 *       connection broke under a request (pgjdbc's own 08xxx, not the server's);</li>
 *   <li>504 {@code PGRST003} "Timed out acquiring connection from connection pool." when the
 *       database is fine but every pooled connection stayed busy for the acquisition timeout.</li>
 * </ul>
 * Every 503 carries {@code Retry-After}, as PostgREST's do (REST: {@link ErrorHandler}; auth
 * and storage set it in their own shapes); supabase-js treats 502-504 as retryable.
 */
public final class DatabaseUnavailable extends ApiError {
    /** Seconds a client should wait before retrying: the pool has already waited for a connection. */
    public static final int RETRY_AFTER_SECONDS = 1;

    private DatabaseUnavailable(int status, String code, String message, String details) {
        super(status, code, message, details, null);
    }

    static DatabaseUnavailable connection(String details) {
        return new DatabaseUnavailable(503, "PGRST000", "Database connection error.", details);
    }

    static DatabaseUnavailable client(String details) {
        return new DatabaseUnavailable(503, "PGRST001", "Database client error. Retrying the connection.", details);
    }

    static DatabaseUnavailable poolTimeout() {
        return new DatabaseUnavailable(504, "PGRST003", "Timed out acquiring connection from connection pool.", null);
    }
}
