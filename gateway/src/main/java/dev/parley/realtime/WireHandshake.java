package dev.parley.realtime;

import io.undertow.connector.ByteBufferPool;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import org.xnio.StreamConnection;

/**
 * Undertow's RFC 6455 handshake, plus the {@link WireConduit} that lets the socket write its
 * pre-built frames to the connection itself. Only version 13 (RFC 6455, what every browser and
 * realtime-js speak) is offered: the 2011 drafts 07 and 08 are refused with 400 like any request
 * that is not an upgrade.
 */
final class WireHandshake extends Hybi13Handshake {
    @Override
    public WebSocketChannel createChannel(WebSocketHttpExchange exchange, StreamConnection connection, ByteBufferPool pool) {
        WebSocketChannel channel = super.createChannel(exchange, connection, pool);
        channel.setAttribute(WireConduit.class.getName(), WireConduit.install(connection));
        return channel;
    }
}
