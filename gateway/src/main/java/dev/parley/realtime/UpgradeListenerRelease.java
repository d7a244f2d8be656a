package dev.parley.realtime;

import io.undertow.server.HttpUpgradeListener;
import io.undertow.server.ServerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Method;

/**
 * Lets the HTTP exchange of a WebSocket upgrade be collected once the socket is open.
 *
 * <p>Why: Undertow keeps every open connection in its open-listener's set, and the connection
 * keeps the upgrade listener it ran, whose handshake captured the whole upgrade exchange: request
 * headers, the URL with its query (the token appears in it several times), attachments. That was
 * about half of an idle socket's heap (docs/benchmarks.md, "Idle sockets"). The listener has run
 * by the time the socket is open and Undertow never reads it again, but its setter is protected,
 * so it is cleared by reflection. If a future Undertow renames it, nothing breaks: the exchange is
 * merely kept, as before (logged once).
 */
final class UpgradeListenerRelease {
    private static final Logger log = LoggerFactory.getLogger(UpgradeListenerRelease.class);
    private static final Method SETTER = find();

    private UpgradeListenerRelease() {
    }

    private static Method find() {
        try {
            Method m = Class.forName("io.undertow.server.protocol.http.HttpServerConnection")
                    .getDeclaredMethod("setUpgradeListener", HttpUpgradeListener.class);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.info("upgrade exchanges stay referenced while their sockets are open (Undertow internals changed: {})", e.toString());
            return null;
        }
    }

    /** Called once the WebSocket is set up, from Undertow's upgrade listener itself. */
    static void release(ServerConnection connection) {
        if (SETTER == null || connection == null || !SETTER.getDeclaringClass().isInstance(connection)) return;
        try {
            SETTER.invoke(connection, (Object) null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("upgrade listener not released: {}", e.toString());
        }
    }
}
