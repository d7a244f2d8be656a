package dev.parley.rest.openapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.auth.Caller;
import dev.parley.db.RequestTransactions;
import dev.parley.http.ApiError;
import dev.parley.http.Json;
import dev.parley.rest.schema.SchemaSnapshot;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

import java.sql.SQLException;
import java.util.Locale;

/**
 * {@code GET /rest/v1/}: the OpenAPI (Swagger 2.0) description of the schema the request's
 * profile names, limited to what the caller's role may use (privileges are asked of Postgres in
 * a read-only transaction as the caller). Served as {@code application/openapi+json} to a
 * client that accepts it, {@code application/json} or anything.
 */
public final class OpenApi {
    private static final String CONTENT_TYPE = "application/openapi+json; charset=utf-8";
    private final RequestTransactions transactions;

    public OpenApi(RequestTransactions transactions) {
        this.transactions = transactions;
    }

    /** Answers for {@code schema} (already checked against the exposed ones). */
    public void handle(HttpServerExchange exchange, Caller caller, SchemaSnapshot snapshot, String schema)
            throws SQLException {
        HttpString method = exchange.getRequestMethod();
        if (!method.equals(Methods.GET) && !method.equals(Methods.HEAD)) {
            throw new ApiError(405, "PGRST117", "Unsupported HTTP method: " + method);
        }
        checkAccept(exchange.getRequestHeaders().getFirst(Headers.ACCEPT));
        Privileges privileges = transactions.run(caller, true, c -> Privileges.load(c, schema));
        ObjectNode doc = new OpenApiDocument(snapshot, schema, privileges)
                .build(exchange.getRequestScheme(), exchange.getHostAndPort(), basePath(exchange));
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, CONTENT_TYPE);
        if (snapshot.schemas().size() > 1) {
            exchange.getResponseHeaders().put(HttpString.tryFromString("Content-Profile"), schema);
        }
        if (method.equals(Methods.HEAD)) {
            exchange.endExchange();
        } else {
            exchange.getResponseSender().send(Json.write(doc));
        }
    }

    /** The path the API is mounted at, e.g. {@code /rest/v1}: operation paths are relative to it. */
    private static String basePath(HttpServerExchange exchange) {
        String resolved = exchange.getResolvedPath();
        return resolved == null || resolved.isEmpty() ? "/" : resolved;
    }

    /** PostgREST's root serves application/openapi+json for these; anything else is a 406. */
    private static void checkAccept(String accept) {
        if (accept == null || accept.isBlank()) return;
        for (String part : accept.split(",")) {
            String type = part.split(";")[0].trim().toLowerCase(Locale.ROOT);
            if (type.equals("application/openapi+json") || type.equals("application/json") || type.equals("*/*")) return;
        }
        throw new ApiError(406, "PGRST107", "None of these media types are available: " + accept);
    }
}
