package dev.parley.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.http.ApiError;
import dev.parley.http.Json;
import dev.parley.http.RequestBody;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.util.Deque;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/** Reading a /auth/v1 request: its JSON body, fields, query parameters and bearer token, with GoTrue's refusals. */
final class AuthRequest {
    /** GoTrue's body limit. */
    static final long MAX_BODY_BYTES = 1 << 20;
    private static final Pattern BEARER = Pattern.compile("^\\s*[Bb]earer\\s+(\\S+)\\s*$");
    /** The address format GoTrue accepts (checkmail's). */
    private static final Pattern EMAIL = Pattern.compile("^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9]"
            + "(?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$");

    private AuthRequest() {
    }

    /** The JSON object of the body; an empty body is {}. */
    static ObjectNode body(HttpServerExchange exchange) {
        byte[] bytes;
        try {
            bytes = RequestBody.read(exchange, MAX_BODY_BYTES);
        } catch (ApiError e) {
            if (e.status() == 413) {
                throw AuthError.of(413, "request_entity_too_large", "Request body too large (max " + MAX_BODY_BYTES + " bytes)");
            }
            throw AuthError.of(e.status(), "validation_failed", e.getMessage());
        }
        if (bytes.length == 0) return Json.MAPPER.createObjectNode();
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            if (node instanceof ObjectNode o) return o;
            throw badJson("the body must be a JSON object");
        } catch (JsonProcessingException e) {
            throw badJson(e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw badJson(e.getMessage());
        }
    }

    static AuthError badJson(String why) {
        return AuthError.badRequest("bad_json", "Could not parse request body as JSON: " + why);
    }

    /** A string field; absent or null is null, anything but a string is bad_json. */
    static String text(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw badJson(field + " must be a string");
        return n.textValue();
    }

    static ObjectNode object(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return null;
        if (!(n instanceof ObjectNode o)) throw badJson(field + " must be an object");
        return o;
    }

    static boolean bool(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return false;
        if (!n.isBoolean()) throw badJson(field + " must be a boolean");
        return n.booleanValue();
    }

    static String query(HttpServerExchange exchange, String name) {
        Deque<String> v = exchange.getQueryParameters().get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    /** Trimmed and lower-cased, after GoTrue's checks (required, at most 255 characters, a valid address). */
    static String normalizeEmail(String raw) {
        String email = raw == null ? "" : raw.trim();
        if (email.isEmpty()) throw AuthError.validation("An email address is required");
        if (email.length() > 255) throw AuthError.validation("An email address is too long");
        if (!EMAIL.matcher(email).matches()) throw AuthError.validation("Unable to validate email address: invalid format");
        return email.toLowerCase(Locale.ROOT);
    }

    /**
     * The verified claims of the request's bearer token, with GoTrue's refusals: no token is a
     * 401 no_authorization; a token that does not verify (expired included) is 403 bad_jwt.
     */
    static Caller bearer(HttpServerExchange exchange, Jwt jwt) {
        String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        var m = header == null ? null : BEARER.matcher(header);
        if (m == null || !m.matches()) {
            throw AuthError.of(401, "no_authorization", "This endpoint requires a valid Bearer token");
        }
        try {
            return jwt.verify(m.group(1));
        } catch (ApiError e) {
            String why = "PGRST303".equals(e.code()) ? "token has invalid claims: token is expired"
                    : e.details() == null ? e.getMessage() : e.details();
            throw AuthError.forbidden("bad_jwt", "invalid JWT: unable to parse or verify signature, " + why);
        }
    }

    static UUID uuidOrNull(String s) {
        if (s == null) return null;
        try {
            UUID u = UUID.fromString(s);
            return u.toString().equalsIgnoreCase(s) ? u : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String userAgent(HttpServerExchange exchange) {
        return exchange.getRequestHeaders().getFirst(Headers.USER_AGENT);
    }
}
