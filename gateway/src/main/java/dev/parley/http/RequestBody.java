package dev.parley.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a request body on a worker thread, refusing with 413 as soon as it passes the limit
 * (checked against Content-Length up front and against the bytes actually read), so a huge body
 * is never held in memory.
 */
public final class RequestBody {
    private RequestBody() {
    }

    public static byte[] read(HttpServerExchange exchange, long limit) {
        long declared = exchange.getRequestContentLength();
        if (declared > limit) throw ApiError.payloadTooLarge(limit);
        if (!exchange.isBlocking()) exchange.startBlocking();
        ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 256);
        byte[] buf = new byte[8192];
        long total = 0;
        try (InputStream in = exchange.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > limit) throw ApiError.payloadTooLarge(limit);
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw ApiError.badRequest("PGRST102", "Could not read the request body", e.getMessage());
        }
        return out.toByteArray();
    }

    public static String readString(HttpServerExchange exchange, long limit) {
        return new String(read(exchange, limit), StandardCharsets.UTF_8);
    }

    /** The media type of the request without parameters, lower case; "" when absent. */
    public static String mediaType(HttpServerExchange exchange) {
        String ct = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (ct == null) return "";
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
    }
}
