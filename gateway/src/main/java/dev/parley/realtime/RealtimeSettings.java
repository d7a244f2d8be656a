package dev.parley.realtime;

import dev.parley.config.Config;
import dev.parley.config.Env;

import java.time.Duration;

/**
 * Realtime's settings, read once at start from the validated environment (docs/configuration.md,
 * section Realtime). Every limit protects the node from one client: a socket past a limit is
 * told why (a reply, a system message or a close reason), never silently dropped.
 *
 * @param heartbeatTimeout   a socket silent this long is closed (PARLEY_REALTIME_HEARTBEAT_TIMEOUT, seconds)
 * @param maxChannels        channels one socket may join (PARLEY_REALTIME_MAX_CHANNELS)
 * @param maxPayloadBytes    largest frame a client may send, and largest HTTP broadcast message
 *                           (PARLEY_REALTIME_MAX_PAYLOAD_BYTES)
 * @param maxMessagesPerSecond messages one socket may send per second (PARLEY_REALTIME_MAX_MESSAGES_PER_SECOND)
 * @param maxJoinsPerSecond  joins one socket may send per second (PARLEY_REALTIME_MAX_JOINS_PER_SECOND)
 * @param maxQueuedMessages  frames queued to one socket before it is disconnected as a slow consumer
 *                           (PARLEY_REALTIME_MAX_QUEUED_MESSAGES)
 * @param retention          how long events stay resumable (PARLEY_REALTIME_RETENTION, seconds)
 * @param nodeTimeout        a node that has not refreshed its row this long is presumed dead and its
 *                           presences removed (PARLEY_REALTIME_NODE_TIMEOUT, seconds)
 * @param dbThreads          threads that run realtime's SQL (PARLEY_REALTIME_DB_THREADS)
 * @param maxPendingEvents   database events between notification and delivery before the change
 *                           feed stops taking them one by one and catches up from realtime.events
 *                           instead (PARLEY_REALTIME_MAX_PENDING_EVENTS)
 */
record RealtimeSettings(
        Duration heartbeatTimeout,
        int maxChannels,
        int maxPayloadBytes,
        int maxMessagesPerSecond,
        int maxJoinsPerSecond,
        int maxQueuedMessages,
        Duration retention,
        Duration nodeTimeout,
        int dbThreads,
        int maxPendingEvents) {

    static final int DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 60;
    static final int DEFAULT_MAX_CHANNELS = 100;
    static final int DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;
    static final int DEFAULT_MAX_MESSAGES_PER_SECOND = 100;
    static final int DEFAULT_MAX_JOINS_PER_SECOND = 50;
    static final int DEFAULT_MAX_QUEUED_MESSAGES = 1000;
    static final int DEFAULT_RETENTION_SECONDS = 15 * 60;
    static final int DEFAULT_NODE_TIMEOUT_SECONDS = 30;
    static final int DEFAULT_MAX_PENDING_EVENTS = 10_000;

    static RealtimeSettings from(Config config) {
        Env env = config.env();
        return new RealtimeSettings(
                Duration.ofSeconds(env.intInRange("PARLEY_REALTIME_HEARTBEAT_TIMEOUT", DEFAULT_HEARTBEAT_TIMEOUT_SECONDS, 1, 3600)),
                env.intInRange("PARLEY_REALTIME_MAX_CHANNELS", DEFAULT_MAX_CHANNELS, 1, 100_000),
                env.intInRange("PARLEY_REALTIME_MAX_PAYLOAD_BYTES", DEFAULT_MAX_PAYLOAD_BYTES, 1024, 64 * 1024 * 1024),
                env.intInRange("PARLEY_REALTIME_MAX_MESSAGES_PER_SECOND", DEFAULT_MAX_MESSAGES_PER_SECOND, 1, 1_000_000),
                env.intInRange("PARLEY_REALTIME_MAX_JOINS_PER_SECOND", DEFAULT_MAX_JOINS_PER_SECOND, 1, 1_000_000),
                env.intInRange("PARLEY_REALTIME_MAX_QUEUED_MESSAGES", DEFAULT_MAX_QUEUED_MESSAGES, 1, 10_000_000),
                Duration.ofSeconds(env.intInRange("PARLEY_REALTIME_RETENTION", DEFAULT_RETENTION_SECONDS, 10, 30 * 24 * 3600)),
                Duration.ofSeconds(env.intInRange("PARLEY_REALTIME_NODE_TIMEOUT", DEFAULT_NODE_TIMEOUT_SECONDS, 3, 3600)),
                env.intInRange("PARLEY_REALTIME_DB_THREADS", Math.max(2, config.poolSize() / 2), 1, 1000),
                env.intInRange("PARLEY_REALTIME_MAX_PENDING_EVENTS", DEFAULT_MAX_PENDING_EVENTS, 1, 1_000_000));
    }
}
