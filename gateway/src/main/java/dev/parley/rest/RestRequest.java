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
        return new RestRequest(exchange, caller, snapshot, schema(exchange, snapshot), Preferences.of(exchange),
                MediaType.negotiate(exchange));
    }

    /** The schema the profile headers name, else the default one; 406 (PGRST106) for one not exposed. */
    public static String schema(HttpServerExchange exchange, SchemaSnapshot snapshot) {
        boolean reading = exchange.getRequestMethod().equals(Methods.GET) || exchange.getRequestMethod().equals(Methods.HEAD);
        String profile = exchange.getRequestHeaders().getFirst(reading ? "Accept-Profile" : "Content-Profile");
        String schema = snapshot.schemas().get(0);
        if (profile != null && !profile.isBlank()) {
            schema = profile.trim();
            if (!snapshot.schemas().contains(schema)) {
                throw new ApiError(406, "PGRST106", "Invalid schema: " + schema, null,
                        "Only the following schemas are exposed: " + String.join(", ", snapshot.schemas()));
            }
        }
        return schema;
    }

    /**
     * Whether the schema was negotiated, so answers name it in Content-Profile: always when
     * several schemas are exposed, as PostgREST.
     */
    public boolean negotiatedByProfile() {
        return snapshot.schemas().size() != 1;
    }

    public boolean isHead() {
        return exchange.getRequestMethod().equals(Methods.HEAD);
    }
}
