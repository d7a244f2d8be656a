package dev.parley.realtime;

import dev.parley.db.NotificationBus;

import java.util.Set;

/**
 * Tells every joined channel when this node's database listener is lost and when it is back, with
 * a {@code system} message ({@code extension: "listener"}, status {@code error}, then {@code ok};
 * the channel stays joined),
 * so a client can show that updates are delayed rather than guess from silence.
 *
 * <p>Registered before the change feed's status listener: the {@code ok} message is queued to
 * each channel before the feed delivers the events committed during the outage, so a client sees
 * loss, recovery, then the missed events in commit order. Client broadcasts and presence diffs
 * published while the listener was down are not stored anywhere and are not replayed; presence
 * states are resent after the reconnect (ChangeFeed).
 */
final class ListenerNotices implements NotificationBus.StatusListener {
    static final String LOST = "Realtime lost its connection to the database; changes and database broadcasts committed "
            + "meanwhile will be delivered, in order, once it reconnects. Client broadcasts sent meanwhile may be lost.";
    static final String BACK = "Realtime reconnected to the database; changes and database broadcasts committed "
            + "while it was disconnected follow, in commit order.";

    private final Topics topics;

    ListenerNotices(Topics topics) {
        this.topics = topics;
    }

    @Override
    public void onDisconnected() {
        tellEveryChannel("error", LOST);
    }

    @Override
    public void onReconnected() {
        tellEveryChannel("ok", BACK);
    }

    /** One push per channel: each goes to the channel's socket queue, nothing blocks. */
    private void tellEveryChannel(String status, String message) {
        for (Set<ChannelSession> channels : topics.allTopics()) {
            for (ChannelSession c : channels) c.system("listener", status, message);
        }
    }
}
