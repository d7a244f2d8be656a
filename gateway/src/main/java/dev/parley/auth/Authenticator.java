package dev.parley.auth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.util.Deque;

/**
 * Finds the caller of an HTTP request: the token from {@code Authorization: Bearer}, else the
 * {@code apikey} header, else the {@code apikey} query parameter. No token at all means anon;
 * a token that does not verify is a 401, never anon.
 */
public final class Authenticator {
    private static final HttpString APIKEY = new HttpString("apikey");
    private final Jwt jwt;

    public Authenticator(Jwt jwt) {
        this.jwt = jwt;
    }

    public Caller authenticate(HttpServerExchange exchange) {
        String token = tokenOf(exchange);
        return token == null ? Caller.anonymous() : jwt.verify(token);
    }

    /** The raw token of a request, or null. */
    public static String tokenOf(HttpServerExchange exchange) {
        String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String t = authorization.substring(7).trim();
            if (!t.isEmpty()) return t;
        }
        String header = exchange.getRequestHeaders().getFirst(APIKEY);
        if (header != null && !header.isBlank()) return header.trim();
        Deque<String> param = exchange.getQueryParameters().get("apikey");
        if (param != null && !param.isEmpty() && !param.getFirst().isBlank()) return param.getFirst().trim();
        return null;
    }

    public Jwt jwt() {
        return jwt;
    }
}
