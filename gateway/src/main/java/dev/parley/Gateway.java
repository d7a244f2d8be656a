package dev.parley;

import dev.parley.auth.AuthApi;
import dev.parley.auth.Authenticator;
import dev.parley.auth.Jwt;
import dev.parley.config.Config;
import dev.parley.db.Database;
import dev.parley.db.Migrations;
import dev.parley.db.PgListener;
import dev.parley.db.RequestTransactions;
import dev.parley.db.Secrets;
import dev.parley.http.AppConfigHandler;
import dev.parley.http.Blocking;
import dev.parley.http.Cors;
import dev.parley.http.ErrorHandler;
import dev.parley.http.HealthHandler;
import dev.parley.http.StaticFiles;
import dev.parley.rest.RestApi;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.PathHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A running gateway: database, migrations, listener, then the HTTP server with every area's
 * routes. {@link #close()} undoes it in reverse: areas (realtime sockets get close frames),
 * listener, server, pools, embedded database.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayContext context;
    private final Undertow server;
    private final int port;

    private Gateway(GatewayContext context, Undertow server, int port) {
        this.context = context;
        this.server = server;
        this.port = port;
    }

    /**
     * Starts everything in order; if a step fails, what the earlier steps opened (the listener, the
     * areas' shutdown hooks, the server, the pools, the embedded database) is closed before the
     * failure is thrown, so a failed start leaks no connection or thread.
     */
    public static Gateway start(Config config) throws SQLException {
        Database database = Database.open(config);
        PgListener listener = null;
        GatewayContext context = null;
        Undertow server = null;
        try {
            config = config.withJwtSecret(Secrets.loadOrCreate(config));
            Migrations.apply(database.adminPool());
            database.openRequestPool(config);
            listener = new PgListener(database.adminUrl(), database.settings().connectTimeout());
            listener.start();
            Jwt jwt = new Jwt(config.jwtSecret(), Clock.systemUTC());
            context = new GatewayContext(config, database,
                    new RequestTransactions(database.requestPool()), jwt, new Authenticator(jwt), listener,
                    Clock.systemUTC(), new ArrayList<>());
            context.onShutdown(listener);

            PathHandler routes = routes(context);
            server = Undertow.builder()
                    .addHttpListener(config.port(), config.host())
                    .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, -1L)
                    .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, true)
                    .setHandler(new ErrorHandler(new Cors(routes)))
                    .build();
            server.start();
            int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
            return new Gateway(context, server, port);
        } catch (RuntimeException | SQLException e) {
            if (context != null) closeHooks(context); // the listener is one of them
            else if (listener != null) listener.close();
            if (server != null) {
                try {
                    server.stop();
                } catch (RuntimeException stopFailed) {
                    e.addSuppressed(stopFailed);
                }
            }
            database.close();
            throw e;
        }
    }

    /** The areas' shutdown hooks, last registered first. */
    private static void closeHooks(GatewayContext context) {
        List<AutoCloseable> hooks = new ArrayList<>(context.shutdownHooks());
        for (int i = hooks.size() - 1; i >= 0; i--) {
            try {
                hooks.get(i).close();
            } catch (Exception e) {
                log.warn("shutdown step failed: {}", e.toString());
            }
        }
    }

    /** Every area's routes. Each area contributes one prefix. */
    private static PathHandler routes(GatewayContext ctx) throws SQLException {
        PathHandler paths = Handlers.path();
        paths.addPrefixPath("/rest/v1", new Blocking(RestApi.create(ctx)));
        HealthHandler health = new HealthHandler(ctx.database().healthPool(), ctx.notifications());
        ctx.onShutdown(health);
        paths.addExactPath("/health", new Blocking(health));
        paths.addPrefixPath("/auth/v1", new Blocking(AuthApi.create(ctx)));
        paths.addPrefixPath("/storage/v1", dev.parley.storage.Storage.handler(ctx));
        paths.addPrefixPath("/realtime/v1", dev.parley.realtime.Realtime.handler(ctx));
        paths.addPrefixPath("/sdk", StaticFiles.fromClasspath("sdk"));
        paths.addExactPath("/config.json", new AppConfigHandler(ctx.jwt().apiKey("anon")));
        paths.addPrefixPath("/", StaticFiles.fromClasspath("app"));
        return paths;
    }

    public int port() {
        return port;
    }

    public GatewayContext context() {
        return context;
    }

    /** The two API keys: JWTs for anon and service_role signed with this gateway's secret. */
    public String anonKey() {
        return context.jwt().apiKey("anon");
    }

    public String serviceRoleKey() {
        return context.jwt().apiKey("service_role");
    }

    /**
     * Areas first (realtime sends its sockets close frames while the server still runs), then the
     * server, then the pools and database.
     */
    @Override
    public void close() {
        closeHooks(context);
        server.stop();
        context.database().close();
    }
}
