package dev.parley.auth;

import dev.parley.http.DatabaseUnavailable;
import dev.parley.http.Json;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A refusal of /auth/v1 in GoTrue's shapes. GoTrue answers in one of two shapes depending on
 * the {@code X-Supabase-Api-Version} request header (supabase-js always sends 2024-01-01):
 * <ul>
 *   <li>2024-01-01 or later: {@code {"code": "invalid_credentials", "message": "..."}} and the
 *       header echoed back, which is how supabase-js knows to read {@code code} as the error code;</li>
 *   <li>absent (curl, older clients): {@code {"code": 400, "error_code": "invalid_credentials", "msg": "..."}}.</li>
 * </ul>
 * Both carry the {@code x-sb-error-code} header. Codes are GoTrue's (docs/errors.md lists the
 * ones Parley uses).
 */
final class AuthError extends RuntimeException {
    static final String API_VERSION_HEADER = "X-Supabase-Api-Version";
    private static final HttpString API_VERSION = new HttpString(API_VERSION_HEADER);
    private static final HttpString ERROR_CODE = new HttpString("x-sb-error-code");
    private static final HttpString RETRY_AFTER = new HttpString("Retry-After");

    private final int status;
    private final String errorCode;
    private final List<String> weakPasswordReasons;
    private final long retryAfterSeconds;

    private AuthError(int status, String errorCode, String message, List<String> reasons, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.errorCode = errorCode;
        this.weakPasswordReasons = reasons;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static AuthError of(int status, String errorCode, String message) {
        return new AuthError(status, errorCode, message, null, 0);
    }

    static AuthError badRequest(String errorCode, String message) {
        return of(400, errorCode, message);
    }

    static AuthError validation(String message) {
        return of(400, "validation_failed", message);
    }

    static AuthError unprocessable(String errorCode, String message) {
        return of(422, errorCode, message);
    }

    static AuthError forbidden(String errorCode, String message) {
        return of(403, errorCode, message);
    }

    static AuthError weakPassword(String message, List<String> reasons) {
        return new AuthError(422, "weak_password", message, List.copyOf(reasons), 0);
    }

    static AuthError tooManyRequests(long retryAfterSeconds) {
        return new AuthError(429, "over_request_rate_limit", "Request rate limit reached", null, retryAfterSeconds);
    }

    /**
     * The database could not be used at all ({@code SqlErrors.unavailable}): its status (503, or
     * 504 when every pooled connection stayed busy) and message; GoTrue has no code of its own
     * for this, so 503 is {@code unexpected_failure} and 504 its {@code request_timeout}.
     * supabase-js retries 502-504 (AuthRetryableFetchError) rather than signing the user out.
     */
    static AuthError unavailable(DatabaseUnavailable e) {
        return new AuthError(e.status(), e.status() == 504 ? "request_timeout" : "unexpected_failure", e.getMessage(),
                null, e.status() == 503 ? DatabaseUnavailable.RETRY_AFTER_SECONDS : 0);
    }

    static AuthError unexpected(String message) {
        return of(500, "unexpected_failure", message);
    }

    int status() {
        return status;
    }

    String errorCode() {
        return errorCode;
    }

    void send(HttpServerExchange exchange) {
        var headers = exchange.getResponseHeaders();
        headers.put(ERROR_CODE, errorCode);
        if (retryAfterSeconds > 0) headers.put(RETRY_AFTER, Long.toString(retryAfterSeconds));
        Map<String, Object> body = new LinkedHashMap<>();
        if (requestsCurrentApi(exchange)) {
            headers.put(API_VERSION, "2024-01-01");
            body.put("code", errorCode);
            body.put("message", getMessage());
        } else {
            body.put("code", status);
            body.put("error_code", errorCode);
            body.put("msg", getMessage());
        }
        if (weakPasswordReasons != null) body.put("weak_password", Map.of("reasons", weakPasswordReasons));
        Json.send(exchange, status, body);
    }

    /** True when the client asked for API version 2024-01-01 or later (dates compare as text). */
    static boolean requestsCurrentApi(HttpServerExchange exchange) {
        String v = exchange.getRequestHeaders().getFirst(API_VERSION);
        return v != null && v.matches("\\d{4}-\\d{2}-\\d{2}") && v.compareTo("2024-01-01") >= 0;
    }
}
