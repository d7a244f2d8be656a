package dev.parley.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refusal with an HTTP status and PostgREST's error body {@code {code, message, details, hint}}.
 * {@code code} is a SQLSTATE or a stable PGRSTnnn code; docs/errors.md lists them. Areas with
 * another wire format (GoTrue, Storage) render the same fields their own way.
 */
public class ApiError extends RuntimeException {
    private final int status;
    private final String code;
    private final String details;
    private final String hint;

    public ApiError(int status, String code, String message, String details, String hint) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = details;
        this.hint = hint;
    }

    public ApiError(int status, String code, String message) {
        this(status, code, message, null, null);
    }

    public static ApiError badRequest(String code, String message, String details) {
        return new ApiError(400, code, message, details, null);
    }

    public static ApiError jwtInvalid(String details) {
        return new ApiError(401, "PGRST301", "JWT could not be decoded or verified", details, null);
    }

    public static ApiError jwtExpired() {
        return new ApiError(401, "PGRST303", "JWT expired");
    }

    public static ApiError payloadTooLarge(long limit) {
        return new ApiError(413, "PGRST413", "Request body too large", "The limit is " + limit + " bytes", null);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String details() {
        return details;
    }

    public String hint() {
        return hint;
    }

    /** The PostgREST-shaped body. */
    public Map<String, Object> body() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", code);
        m.put("details", details);
        m.put("hint", hint);
        m.put("message", getMessage());
        return m;
    }
}
