package dev.parley.db;

/**
 * Postgres notifications for this node, from one dedicated connection (never a pooled one:
 * LISTEN state would leak to the next borrower). Everything that crosses gateway nodes goes
 * through here, so a deployment past one Postgres's NOTIFY ceiling replaces this interface's
 * implementation with a distributed bus, not the callers.
 */
public interface NotificationBus extends AutoCloseable {

    /** Receives notifications of one channel, in commit order, on the listener's own thread. */
    @FunctionalInterface
    interface Listener {
        /** Must not block: hand real work to another executor. */
        void onNotification(String channel, String payload);
    }

    /** Told when the connection is lost and when it is back (channels re-LISTENed). */
    interface StatusListener {
        void onDisconnected();

        /** Notifications sent while disconnected are lost: subscribers must resync. */
        void onReconnected();
    }

    /** Subscribes to {@code channel}; returns once LISTEN has been issued (when connected). */
    void listen(String channel, Listener listener);

    void addStatusListener(StatusListener listener);

    boolean isConnected();

    @Override
    void close();
}
