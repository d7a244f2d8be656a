package dev.parley.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

/**
 * Lets browser apps on any origin call the API, as Supabase does: access is decided by tokens
 * and RLS, not by origin. Preflights are answered here with 204.
 */
public final class Cors implements HttpHandler {
    private static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
    private static final HttpString ALLOW_METHODS = new HttpString("Access-Control-Allow-Methods");
    private static final HttpString ALLOW_HEADERS = new HttpString("Access-Control-Allow-Headers");
    private static final HttpString EXPOSE_HEADERS = new HttpString("Access-Control-Expose-Headers");
    private static final HttpString MAX_AGE = new HttpString("Access-Control-Max-Age");
    private static final HttpString REQUEST_HEADERS = new HttpString("Access-Control-Request-Headers");
    private static final String DEFAULT_ALLOWED_HEADERS = "authorization, x-client-info, apikey, content-type, "
            + "prefer, range, accept, accept-profile, content-profile, x-upsert, cache-control, x-source, "
            + "x-supabase-api-version, x-metadata";
    /**
     * Response headers browser code may read beyond the CORS-safelisted ones: what postgrest-js
     * (Content-Range), auth-js (Link, X-Total-Count, X-Supabase-Api-Version) and apps reading
     * downloads (ETag, Content-Range, Content-Disposition) or backing off (Retry-After) need.
     */
    private static final String EXPOSED = "Content-Range, Content-Location, Location, ETag, Content-Length, "
            + "X-Total-Count, Link, X-Supabase-Api-Version, Retry-After, Content-Disposition, Accept-Ranges, "
            + "X-Sb-Error-Code";

    private final HttpHandler next;

    public Cors(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        HeaderMap out = exchange.getResponseHeaders();
        out.put(ALLOW_ORIGIN, "*");
        out.put(EXPOSE_HEADERS, EXPOSED);
        if (Methods.OPTIONS.equals(exchange.getRequestMethod())
                && exchange.getRequestHeaders().contains("Access-Control-Request-Method")) {
            String asked = exchange.getRequestHeaders().getFirst(REQUEST_HEADERS);
            out.put(ALLOW_METHODS, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
            out.put(ALLOW_HEADERS, asked != null ? asked : DEFAULT_ALLOWED_HEADERS);
            out.put(MAX_AGE, "86400");
            exchange.setStatusCode(204);
            exchange.endExchange();
            return;
        }
        next.handleRequest(exchange);
    }
}
