package dev.parley.auth;

import dev.parley.GatewayContext;
import dev.parley.http.DatabaseUnavailable;
import dev.parley.http.SqlErrors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * /auth/v1: GoTrue's endpoints for email and password accounts (docs/auth.md). Runs on worker
 * threads (mounted behind {@code Blocking}): bcrypt and JDBC block. Every refusal is rendered in
 * GoTrue's error shape here, so the gateway's PostgREST-shaped error handler never sees one.
 */
public final class AuthApi implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(AuthApi.class);

    private final AuthContext auth;
    private final AccountEndpoints accounts;
    private final TokenEndpoint tokens;
    private final AdminUsers admin;

    private AuthApi(AuthContext auth) {
        this.auth = auth;
        this.accounts = new AccountEndpoints(auth);
        this.tokens = new TokenEndpoint(auth);
        this.admin = new AdminUsers(auth);
    }

    /** Reads the auth settings (failing the start on a bad one) and builds the API. */
    public static AuthApi create(GatewayContext ctx) {
        AuthSettings settings = AuthSettings.from(ctx.config());
        var pool = ctx.database().adminPool();
        RateLimiter limiter = new RateLimiter(pool, settings);
        AuthContext auth = new AuthContext(pool, settings, ctx.jwt(),
                new Passwords(settings.bcryptCost(), settings.passwordMinLength()),
                new RefreshTokens(ctx.config().jwtSecret(), settings.refreshReuseIntervalSeconds()),
                new AccessTokens(ctx.jwt(), ctx.clock(), settings), limiter);
        ScheduledExecutorService purger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-auth-purge");
            t.setDaemon(true);
            return t;
        });
        long every = settings.rateLimitWindowSeconds();
        purger.scheduleWithFixedDelay(() -> {
            try {
                limiter.purge();
            } catch (SQLException | RuntimeException e) {
                log.warn("could not purge old sign-in attempts: {}", e.toString());
            }
        }, every, every, TimeUnit.SECONDS);
        ctx.onShutdown(purger::shutdownNow);
        return new AuthApi(auth);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        try {
            route(exchange);
        } catch (AuthError e) {
            if (!exchange.isResponseStarted()) e.send(exchange);
        } catch (SQLException e) {
            AuthError error = databaseError("Database error", e);
            if (!exchange.isResponseStarted()) error.send(exchange);
        } catch (RuntimeException e) {
            log.error("unexpected failure serving {} {}", exchange.getRequestMethod(), exchange.getRequestPath(), e);
            if (!exchange.isResponseStarted()) {
                AuthError.unexpected("Unexpected failure, please check server logs for more information").send(exchange);
            }
        }
    }

    private void route(HttpServerExchange exchange) throws SQLException {
        String path = exchange.getRelativePath();
        if (path.length() > 1 && path.endsWith("/")) path = path.substring(0, path.length() - 1);
        HttpString method = exchange.getRequestMethod();
        switch (path) {
            case "/signup" -> { if (allow(exchange, method, Methods.POST)) accounts.signup(exchange); }
            case "/token" -> { if (allow(exchange, method, Methods.POST)) tokens.handle(exchange); }
            case "/logout" -> { if (allow(exchange, method, Methods.POST)) accounts.logout(exchange); }
            case "/settings" -> { if (allow(exchange, method, Methods.GET)) accounts.settings(exchange); }
            case "/user" -> {
                if (Methods.GET.equals(method)) accounts.getUser(exchange);
                else if (Methods.PUT.equals(method)) accounts.updateUser(exchange);
                else notAllowed(exchange);
            }
            default -> {
                if (path.equals("/admin/users") || path.startsWith("/admin/users/")) admin.handle(exchange, path);
                else notFound(exchange);
            }
        }
    }

    private static boolean allow(HttpServerExchange exchange, HttpString method, HttpString allowed) {
        if (allowed.equals(method)) return true;
        notAllowed(exchange);
        return false;
    }

    /** As GoTrue's router: 405 with no body, 404 as plain text. */
    static void notAllowed(HttpServerExchange exchange) {
        exchange.setStatusCode(405);
        exchange.endExchange();
    }

    static void notFound(HttpServerExchange exchange) {
        exchange.setStatusCode(404);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send("404 page not found\n");
    }

    /** Logged with its cause; the client sees GoTrue's 500 without details. */
    static AuthError databaseError(String message, SQLException e) {
        DatabaseUnavailable unavailable = SqlErrors.unavailable(e);
        if (unavailable != null) {
            log.warn("{}: {}", unavailable.getMessage(), e.getMessage());
            return AuthError.unavailable(unavailable);
        }
        log.error("{}: {} (SQLSTATE {})", message, e.getMessage(), e.getSQLState());
        return AuthError.unexpected(message);
    }

    /** The signed-in user behind a request, and the session its token belongs to (null for a sessionless token). */
    record SignedIn(User user, UUID sessionId) {
    }

    /**
     * GoTrue's checks for user endpoints: a verified bearer token whose sub is an existing user
     * and whose session_id, when present, is a live session; banned users are refused. This is
     * where a logged-out session's access tokens stop working for /auth/v1.
     */
    static SignedIn signedIn(AuthContext auth, HttpServerExchange exchange) throws SQLException {
        Caller caller = AuthRequest.bearer(exchange, auth.jwt());
        if (caller.sub().isEmpty()) throw AuthError.forbidden("bad_jwt", "invalid claim: missing sub claim");
        UUID userId = AuthRequest.uuidOrNull(caller.sub());
        if (userId == null) throw AuthError.badRequest("bad_jwt", "invalid claim: sub claim must be a UUID");
        Object sid = caller.claims().get("session_id");
        UUID sessionId = null;
        if (sid != null && !"".equals(sid) && !"00000000-0000-0000-0000-000000000000".equals(sid)) {
            sessionId = AuthRequest.uuidOrNull(sid.toString());
            if (sessionId == null) throw AuthError.forbidden("bad_jwt", "invalid claim: session_id claim must be a UUID");
        }
        UUID session = sessionId;
        User user = auth.read(c -> {
            User u = Users.byId(c, userId, false)
                    .orElseThrow(() -> AuthError.forbidden("user_not_found", "User from sub claim in JWT does not exist"));
            if (session != null && Sessions.find(c, session, false).isEmpty()) {
                throw AuthError.forbidden("session_not_found", "Session from session_id claim in JWT does not exist");
            }
            if (session != null && Sessions.expiry(c, session, auth.settings().sessionTimeboxSeconds(),
                    auth.settings().sessionInactivitySeconds()) != Sessions.Expiry.NONE) {
                throw AuthError.forbidden("session_expired", "Session is no longer valid");
            }
            return u;
        });
        if (user.isBannedAt(Instant.now())) throw AuthError.forbidden("user_banned", "User is banned");
        return new SignedIn(user, sessionId);
    }
}
