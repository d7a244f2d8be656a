package dev.parley.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;

import java.util.Map;

/**
 * GET /config.json: what the bundled chat app needs to create its SDK client, {"anonKey": ...}.
 * The anon key is public by design (it only grants the {@code anon} role, and RLS decides the
 * rest), but it is derived from this gateway's secret, so the app reads it here instead of
 * having it baked into the static files. {@code no-store}: after a secret rotation the next
 * page load sees the new key, never a cached one.
 */
public final class AppConfigHandler implements HttpHandler {
    private final String body;

    public AppConfigHandler(String anonKey) {
        this.body = Json.write(Map.of("anonKey", anonKey));
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.GET) && !exchange.getRequestMethod().equals(Methods.HEAD)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            throw new ApiError(405, "PGRST117", "Unsupported HTTP method: " + exchange.getRequestMethod());
        }
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        Json.sendRaw(exchange, 200, body);
    }
}
