package dev.parley.rest;

import dev.parley.GatewayContext;
import dev.parley.auth.Caller;
import dev.parley.http.ApiError;
import dev.parley.http.SqlErrors;
import dev.parley.rest.openapi.OpenApi;
import dev.parley.rest.query.QueryParams;
import dev.parley.rest.read.Source;
import dev.parley.rest.schema.QualifiedName;
import dev.parley.rest.schema.Relation;
import dev.parley.rest.schema.SchemaCache;
import dev.parley.rest.schema.SchemaSnapshot;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

import java.sql.SQLException;

/**
 * /rest/v1 in the PostgREST dialect: {@code /{relation}} for reads and writes, {@code /rpc/{fn}}
 * for functions, {@code /} for the OpenAPI description. Runs on a worker thread (see Blocking).
 */
public final class RestApi implements HttpHandler {
    private final GatewayContext ctx;
    private final SchemaCache schemaCache;
    private final ReadHandler reads;
    private final WriteHandler writes;
    private final RpcHandler rpc;
    private final OpenApi openApi;

    private RestApi(GatewayContext ctx, SchemaCache schemaCache) {
        this.ctx = ctx;
        this.schemaCache = schemaCache;
        this.reads = new ReadHandler(ctx.transactions());
        this.writes = new WriteHandler(ctx.transactions(), ctx.config().maxBodyBytes());
        this.rpc = new RpcHandler(ctx.transactions(), ctx.config().maxBodyBytes());
        this.openApi = new OpenApi(ctx.transactions());
    }

    /** Loads the schema cache (following DDL from then on) and returns the handler. */
    public static RestApi create(GatewayContext ctx) throws SQLException {
        SchemaCache cache = SchemaCache.start(ctx.database().adminPool(), ctx.config().exposedSchemas(), ctx.notifications());
        ctx.onShutdown(cache);
        return new RestApi(ctx, cache);
    }

    public SchemaCache schemaCache() {
        return schemaCache;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Caller caller = ctx.authenticator().authenticate(exchange);
        SchemaSnapshot snapshot = schemaCache.snapshot();
        String path = exchange.getRelativePath();
        if (path.startsWith("/")) path = path.substring(1);
        // Undertow splits ";a=b" off a path as path parameters; PostgREST has none, so a ';'
        // is part of the name (and names no relation).
        if (!exchange.getPathParameters().isEmpty()) {
            path = exchange.getRequestURI().substring(exchange.getResolvedPath().length());
            if (path.startsWith("/")) path = path.substring(1);
            path = java.net.URLDecoder.decode(path.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        }
        try {
            if (path.isEmpty()) {
                // Before RestRequest.of: the root negotiates its own media type (application/openapi+json).
                openApi.handle(exchange, caller, snapshot, RestRequest.schema(exchange, snapshot));
                return;
            }
            RestRequest req = RestRequest.of(exchange, caller, snapshot);
            if (path.startsWith("rpc/")) {
                rpc.handle(req, path.substring(4));
            } else {
                relation(req, path);
            }
        } catch (SQLException e) {
            ApiError error = SqlErrors.toApiError(e, caller.role());
            // As PostgREST: a refusal for want of a token invites the client to send one.
            if (error.status() == 401) exchange.getResponseHeaders().put(io.undertow.util.Headers.WWW_AUTHENTICATE, "Bearer");
            throw error;
        }
    }

    private void relation(RestRequest req, String name) throws SQLException {
        if (name.contains("/")) throw new ApiError(404, "PGRST125", "Invalid path specified in request URL");
        Relation relation = req.snapshot().relation(new QualifiedName(req.schema(), name));
        if (relation == null) {
            throw new ApiError(404, "PGRST205", "Could not find the table '" + req.schema() + "." + name + "' in the schema cache");
        }
        HttpString method = req.exchange().getRequestMethod();
        QueryParams params = QueryParams.parse(req.exchange().getQueryParameters(), key -> false);
        if (method.equals(Methods.GET) || method.equals(Methods.HEAD)) {
            reads.handle(req, Source.of(relation), params);
        } else if (method.equals(Methods.POST)) {
            writes.insert(req, relation, params);
        } else if (method.equals(Methods.PATCH)) {
            writes.update(req, relation, params);
        } else if (method.equals(Methods.PUT)) {
            writes.put(req, relation, params);
        } else if (method.equals(Methods.DELETE)) {
            writes.delete(req, relation, params);
        } else {
            throw new ApiError(405, "PGRST117", "Unsupported HTTP method: " + method);
        }
    }
}
