package dev.parley.realtime;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's registry of joined channels: by topic (for broadcast and presence fan-out, no
 * database work per recipient) and the set of channels with postgres_changes bindings. A private
 * and a public channel of the same name are different topics, as in Supabase: a message sent
 * with {@code private = true} reaches only private channels.
 */
final class Topics {
    static final String PREFIX = "realtime:";

    record Key(String subTopic, boolean isPrivate) {
    }

    private final ConcurrentHashMap<Key, Set<ChannelSession>> byTopic = new ConcurrentHashMap<>();
    private final Set<ChannelSession> withChanges = ConcurrentHashMap.newKeySet();
    private final Set<SocketSession> sockets = ConcurrentHashMap.newKeySet();

    void add(ChannelSession c) {
        byTopic.computeIfAbsent(c.key(), k -> ConcurrentHashMap.newKeySet()).add(c);
        if (!c.config.changes().isEmpty()) withChanges.add(c);
    }

    void remove(ChannelSession c) {
        byTopic.computeIfPresent(c.key(), (k, set) -> {
            set.remove(c);
            return set.isEmpty() ? null : set;
        });
        withChanges.remove(c);
    }

    Set<ChannelSession> subscribers(Key key) {
        Set<ChannelSession> s = byTopic.get(key);
        return s == null ? Set.of() : s;
    }

    Set<ChannelSession> withChanges() {
        return withChanges;
    }

    Iterable<Set<ChannelSession>> allTopics() {
        return byTopic.values();
    }

    void addSocket(SocketSession s) {
        sockets.add(s);
    }

    void removeSocket(SocketSession s) {
        sockets.remove(s);
    }

    Set<SocketSession> sockets() {
        return sockets;
    }
}
