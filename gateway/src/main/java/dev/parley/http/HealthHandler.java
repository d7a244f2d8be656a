package dev.parley.http;

import dev.parley.db.NotificationBus;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GET /health: 200 {"status":"ok"} when the database answers and the notification listener is
 * connected (migrations ran before the server started listening); otherwise 503 naming what is
 * down, so a load balancer takes the node out while it reconnects.
 */
public final class HealthHandler implements HttpHandler {
    private final DataSource database;
    private final NotificationBus listener;

    public HealthHandler(DataSource database, NotificationBus listener) {
        this.database = database;
        this.listener = listener;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        boolean dbUp = databaseAnswers();
        boolean listenerUp = listener.isConnected();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", dbUp && listenerUp ? "ok" : "unavailable");
        if (!dbUp || !listenerUp) {
            body.put("database", dbUp ? "ok" : "down");
            body.put("listener", listenerUp ? "ok" : "reconnecting");
        }
        Json.send(exchange, dbUp && listenerUp ? 200 : 503, body);
    }

    private boolean databaseAnswers() {
        try (Connection c = database.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }
}
