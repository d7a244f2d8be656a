package dev.parley.rest;

import dev.parley.http.ApiError;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.util.Locale;

/** The response formats a /rest/v1 client can ask for with Accept. */
public enum MediaType {
    JSON("application/json; charset=utf-8"),
    /** One object instead of an array; anything but exactly one row is a 406 (PGRST116). */
    OBJECT("application/vnd.pgrst.object+json; charset=utf-8"),
    CSV("text/csv; charset=utf-8");

    private final String contentType;

    MediaType(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /** The first acceptable type of the Accept header, in the client's order; JSON when absent. */
    public static MediaType negotiate(HttpServerExchange exchange) {
        String accept = exchange.getRequestHeaders().getFirst(Headers.ACCEPT);
        if (accept == null || accept.isBlank()) return JSON;
        for (String part : accept.split(",")) {
            String type = part.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            switch (type) {
                case "application/json", "*/*", "application/*" -> {
                    return JSON;
                }
                case "application/vnd.pgrst.object+json", "application/vnd.pgrst.object" -> {
                    return OBJECT;
                }
                case "text/csv" -> {
                    return CSV;
                }
                default -> { }
            }
        }
        throw new ApiError(406, "PGRST107", "None of these media types are available: " + accept);
    }
}
