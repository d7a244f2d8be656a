package dev.parley.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * Moves a handler off the I/O thread onto the worker pool (JDBC and file I/O block), keeping the
 * error handling of {@link ErrorHandler}: the exchange is dispatched, so exceptions thrown on the
 * worker would otherwise escape it.
 */
public final class Blocking implements HttpHandler {
    private final HttpHandler next;

    public Blocking(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        exchange.startBlocking();
        try {
            next.handleRequest(exchange);
        } catch (Throwable t) {
            ErrorHandler.respond(exchange, t);
        }
    }
}
