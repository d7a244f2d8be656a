package dev.parley.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outermost handler: an {@link ApiError} becomes its JSON body; anything else is logged with
 * its stack trace and answered 500 with a generic body, so no trace ever reaches a client.
 * Areas with their own error shape (auth, storage) catch ApiError themselves first.
 */
public final class ErrorHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(ErrorHandler.class);
    private final HttpHandler next;

    public ErrorHandler(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        try {
            next.handleRequest(exchange);
        } catch (Throwable t) {
            respond(exchange, t);
        }
    }

    /** Answers {@code t} on {@code exchange}; usable from handlers that run off the I/O thread. */
    public static void respond(HttpServerExchange exchange, Throwable t) {
        ApiError error = t instanceof ApiError a ? a : null;
        if (error == null) {
            log.error("unexpected failure serving {} {}", exchange.getRequestMethod(), exchange.getRequestPath(), t);
            error = new ApiError(500, "PGRST500", "Internal server error");
        }
        if (exchange.isResponseStarted()) {
            exchange.endExchange();
            return;
        }
        if (error instanceof RaisedError raised) raised.apply(exchange);
        // as PostgREST, every 503 tells the client when to try again (a raised error may have set its own)
        if (error.status() == 503 && !exchange.getResponseHeaders().contains(Headers.RETRY_AFTER)) {
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, DatabaseUnavailable.RETRY_AFTER_SECONDS);
        }
        Json.send(exchange, error.status(), error.body());
    }
}
