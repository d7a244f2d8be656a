package dev.parley.rest;

import dev.parley.auth.Caller;
import dev.parley.http.ApiError;
import dev.parley.rest.schema.SchemaSnapshot;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;

/**
 * A /rest/v1 request once its caller, schema (from Accept-Profile on reads, Content-Profile on
 * writes, else the first exposed schema), preferences and wanted format are known.
 */
public record RestRequest(HttpServerExchange exchange, Caller caller, SchemaSnapshot snapshot, String schema,
                          Preferences prefer, MediaType accept) {

    public static RestRequest of(HttpServerExchange exchange, Caller caller, SchemaSnapshot snapshot) {
        boolean reading = exchange.getRequestMethod().equals(Methods.GET) || exchange.getRequestMethod().equals(Methods.HEAD);
        String profile = exchange.getRequestHeaders().getFirst(reading ? "Accept-Profile" : "Content-Profile");
        String schema = snapshot.schemas().get(0);
        if (profile != null && !profile.isBlank()) {
            schema = profile.trim();
            if (!snapshot.schemas().contains(schema)) {
                throw new ApiError(406, "PGRST106", "The schema must be one of the following: "
                        + String.join(", ", snapshot.schemas()));
            }
        }
        return new RestRequest(exchange, caller, snapshot, schema, Preferences.of(exchange), MediaType.negotiate(exchange));
    }

    public boolean isHead() {
        return exchange.getRequestMethod().equals(Methods.HEAD);
    }
}
