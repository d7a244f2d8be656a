package dev.parley;

import dev.parley.auth.Authenticator;
import dev.parley.auth.Jwt;
import dev.parley.config.Config;
import dev.parley.db.Database;
import dev.parley.db.NotificationBus;
import dev.parley.db.RequestTransactions;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What every area (rest, realtime, auth, storage) is built from. Areas register what must be
 * closed at shutdown with {@link #onShutdown}; it runs in reverse order of registration, before
 * the pools and the database stop.
 */
public record GatewayContext(
        Config config,
        Database database,
        RequestTransactions transactions,
        Jwt jwt,
        Authenticator authenticator,
        NotificationBus notifications,
        Clock clock,
        List<AutoCloseable> shutdownHooks) {

    public GatewayContext {
        shutdownHooks = new CopyOnWriteArrayList<>(shutdownHooks);
    }

    public void onShutdown(AutoCloseable hook) {
        shutdownHooks.add(hook);
    }
}
