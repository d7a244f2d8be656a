package dev.parley.storage;

import dev.parley.http.ApiError;
import dev.parley.http.DatabaseUnavailable;
import dev.parley.http.SqlErrors;
import org.postgresql.util.PSQLException;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refusal in Supabase Storage's shape: {@code {statusCode, error, code, message}}, where
 * {@code statusCode} is the status as a string, {@code error} the short name clients match on
 * (e.g. "Duplicate", "not_found") and {@code code} Storage's error code (e.g. "KeyAlreadyExists").
 * The HTTP status is the same as {@code statusCode} (Supabase answers most of these with a bare
 * 400 and the real status only in the body; supabase-js reads the body either way).
 */
final class StorageError extends RuntimeException {
    private final int status;
    private final String error;
    private final String code;
    private final int retryAfterSeconds;

    StorageError(int status, String code, String error, String message) {
        this(status, code, error, message, 0);
    }

    private StorageError(int status, String code, String error, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds for a Retry-After header; 0 for none. */
    int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    Map<String, Object> body() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("statusCode", Integer.toString(status));
        m.put("code", code);
        m.put("error", error);
        m.put("message", getMessage());
        return m;
    }

    static StorageError bucketNotFound() {
        return new StorageError(404, "NoSuchBucket", "Bucket not found", "Bucket not found");
    }

    static StorageError objectNotFound() {
        return new StorageError(404, "NoSuchKey", "not_found", "Object not found");
    }

    static StorageError duplicate(String code) {
        return new StorageError(409, code, "Duplicate", "The resource already exists");
    }

    static StorageError bucketNotEmpty() {
        return new StorageError(409, "ResourceNotEmpty", "ResourceNotEmpty", "The bucket you tried to delete is not empty");
    }

    static StorageError invalidKey(String key) {
        return new StorageError(400, "InvalidKey", "InvalidKey", "Invalid key: " + printable(key));
    }

    static StorageError invalidBucketName(String name) {
        return new StorageError(400, "InvalidBucketName", "Invalid Input", "Bucket name invalid: " + printable(name));
    }

    static StorageError invalidRequest(String message) {
        return new StorageError(400, "InvalidRequest", "InvalidRequest", message);
    }

    static StorageError entityTooLarge(long limit) {
        return new StorageError(413, "EntityTooLarge", "Payload too large",
                "The object exceeded the maximum allowed size (" + limit + " bytes)");
    }

    static StorageError invalidMimeType(String mimeType) {
        return new StorageError(415, "InvalidMimeType", "invalid_mime_type",
                "mime type " + printable(mimeType) + " is not supported");
    }

    static StorageError accessDenied(String message) {
        return new StorageError(403, "AccessDenied", "Unauthorized", message);
    }

    static StorageError invalidJwt(String message) {
        return new StorageError(400, "InvalidJWT", "InvalidJWT", message);
    }

    static StorageError invalidSignature(String message) {
        return new StorageError(400, "InvalidSignature", "InvalidSignature", message);
    }

    static StorageError expiredSignature() {
        return new StorageError(400, "ExpiredToken", "ExpiredToken", "The provided token has expired.");
    }

    static StorageError invalidRange(long size) {
        return new StorageError(416, "InvalidRange", "invalid_range", "invalid range provided; the object has " + size + " bytes");
    }

    static StorageError noContent() {
        return new StorageError(400, "InvalidRequest", "InvalidRequest", "No content provided");
    }

    /**
     * A database refusal. Row-level security and duplicates get Storage's own meaning (403
     * AccessDenied, 409 Duplicate) as Supabase renders them; every other SQLSTATE keeps the
     * status of the gateway's one map ({@link SqlErrors}).
     */
    static StorageError fromSql(SQLException e, String role) {
        DatabaseUnavailable unavailable = SqlErrors.unavailable(e);
        if (unavailable != null) return unavailable(unavailable);
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e instanceof PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getMessage() : e.getMessage();
        switch (state) {
            case "42501":
                return accessDenied(message != null && message.contains("row-level security")
                        ? "new row violates row-level security policy" : message);
            case "23505":
                return duplicate("ResourceAlreadyExists");
            default:
                int status = SqlErrors.status(state, role);
                return new StorageError(status, "DatabaseError", "DatabaseError",
                        status >= 500 ? "database error, code: " + state : message);
        }
    }

    /**
     * No connection to the database ({@code SqlErrors.unavailable}, the gateway's one rule): 503
     * with Retry-After, or 504 when every pooled connection stayed busy, which Supabase Storage
     * calls {@code DatabaseTimeout}. The message is PostgREST's, with what the driver said.
     */
    static StorageError unavailable(DatabaseUnavailable e) {
        String message = e.details() != null ? e.getMessage() + " " + e.details() : e.getMessage();
        return e.status() == 504
                ? new StorageError(504, "DatabaseTimeout", "DatabaseTimeout", message)
                : new StorageError(e.status(), "DatabaseError", "Service Unavailable", message,
                DatabaseUnavailable.RETRY_AFTER_SECONDS);
    }

    /** A gateway-wide refusal (for example an invalid JWT) in Storage's shape. */
    static StorageError fromApiError(ApiError e) {
        if (e instanceof DatabaseUnavailable unavailable) return unavailable(unavailable);
        String message = e.details() != null ? e.getMessage() + ": " + e.details() : e.getMessage();
        return switch (e.status()) {
            case 401 -> new StorageError(401, "InvalidJWT", "InvalidJWT", message);
            case 413 -> new StorageError(413, "EntityTooLarge", "Payload too large", message);
            case 400 -> new StorageError(400, "InvalidRequest", "InvalidRequest", message);
            default -> new StorageError(e.status(), e.code(), e.code(), message);
        };
    }

    /** Names echoed in messages: control characters replaced, length capped. */
    private static String printable(String s) {
        if (s == null) return "";
        String cut = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        StringBuilder b = new StringBuilder(cut.length());
        cut.codePoints().forEach(cp -> b.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
        return b.toString();
    }
}
