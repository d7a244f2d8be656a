package dev.parley.http;

import dev.parley.db.NotificationBus;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * GET /health: 200 {"status":"ok"} when the database answers and the notification listener is
 * connected (migrations ran before the server started listening); otherwise 503 naming what is
 * down and why, so a load balancer takes the node out while it reconnects.
 *
 * <p>Always within {@link #DEADLINE_MS}: load balancers poll with short timeouts, and a borrow
 * from the pool while Postgres is unreachable waits the pool's acquisition timeout (10 s by
 * default), a validation on a black-holed connection its 5 s. So the database check runs on a
 * thread of its own and the answer waits for it at most the deadline; past it the database is
 * reported down. One check is in flight at a time: polls that come while one is still waiting
 * share it rather than pile up borrowers in the pool, and the first poll after it succeeds (the
 * pool got a connection again) answers 200. The check borrows from a pool of its own (one
 * connection, {@code Database.healthPool}), so a node whose admin pool is busy is not reported down.
 */
public final class HealthHandler implements HttpHandler, AutoCloseable {
    static final long DEADLINE_MS = 1_000;
    private static final int VALIDATION_SECONDS = 2;

    private final DataSource database;
    private final NotificationBus listener;
    private final ExecutorService checker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "parley-health");
        t.setDaemon(true);
        return t;
    });
    private CompletableFuture<String> check; // guarded by this; completes with null (ok) or why not

    public HealthHandler(DataSource database, NotificationBus listener) {
        this.database = database;
        this.listener = listener;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String databaseProblem = databaseProblem();
        boolean dbUp = databaseProblem == null;
        boolean listenerUp = listener.isConnected();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", dbUp && listenerUp ? "ok" : "unavailable");
        if (!dbUp || !listenerUp) {
            body.put("database", dbUp ? "ok" : "down");
            body.put("listener", listenerUp ? "ok" : "reconnecting");
            body.put("message", dbUp ? "The notification listener is reconnecting to the database" : databaseProblem);
        }
        Json.send(exchange, dbUp && listenerUp ? 200 : 503, body);
    }

    /** Null when the database answered within the deadline, else what went wrong. */
    private String databaseProblem() {
        CompletableFuture<String> current;
        synchronized (this) {
            if (check == null || check.isDone()) check = CompletableFuture.supplyAsync(this::borrowAndValidate, checker);
            current = check;
        }
        try {
            return current.get(DEADLINE_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return "The database did not answer within " + DEADLINE_MS + " ms";
        } catch (ExecutionException e) {
            return "The database check failed: " + e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private String borrowAndValidate() {
        try (Connection c = database.getConnection()) {
            return c.isValid(VALIDATION_SECONDS) ? null : "The database did not answer a validation query";
        } catch (SQLException e) {
            DatabaseUnavailable unavailable = SqlErrors.unavailable(e);
            // the SQLSTATE says enough (08001 refused, 28P01 login...) without echoing hosts or messages
            String state = e.getCause() instanceof SQLException cause ? cause.getSQLState() : e.getSQLState();
            return (unavailable != null ? unavailable.getMessage() : "Database error.")
                    + (state != null ? " (SQLSTATE " + state + ")" : "");
        }
    }

    @Override
    public void close() {
        checker.shutdownNow();
    }
}
