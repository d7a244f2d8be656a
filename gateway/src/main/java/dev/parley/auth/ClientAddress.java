package dev.parley.auth;

import io.undertow.server.HttpServerExchange;

import java.net.InetSocketAddress;

/**
 * The address a request comes from, for rate limits and session records. It is the socket's
 * peer, unless PARLEY_TRUST_PROXY is on: then the gateway sits behind one reverse proxy that
 * appends the client it saw to X-Forwarded-For, and the last entry is taken. Earlier entries
 * are whatever the client sent and are never trusted, so a client cannot pick its own key.
 */
final class ClientAddress {
    private ClientAddress() {
    }

    static String of(HttpServerExchange exchange, boolean trustProxy) {
        if (trustProxy) {
            String xff = exchange.getRequestHeaders().getLast("X-Forwarded-For");
            if (xff != null && !xff.isBlank()) {
                String[] parts = xff.split(",");
                String last = parts[parts.length - 1].trim();
                if (!last.isEmpty()) return last;
            }
        }
        InetSocketAddress peer = exchange.getSourceAddress();
        if (peer == null) return "unknown";
        return peer.getAddress() != null ? peer.getAddress().getHostAddress() : peer.getHostString();
    }
}
