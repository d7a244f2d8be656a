package dev.parley.realtime;

import org.xnio.XnioIoThread;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Delivers one event to many channels with one task per I/O thread: the channels are grouped by
 * their socket's I/O thread, and each thread delivers to its own group, so the fan-out of one
 * event runs on every core at once, each socket's frames are queued by the thread that writes
 * them (no cross-thread hand-off per socket) and the writes of a burst of events coalesce.
 *
 * <p>Order: events are handed over in the caller's order and each I/O thread runs its tasks in
 * order, so a channel receives them in order. Memory: at most {@link #MAX_TASKS} tasks wait at
 * once; past that the caller waits for the I/O threads (they never block), which slows the
 * change feed, whose own bound then applies ({@code PARLEY_REALTIME_MAX_PENDING_EVENTS}).
 *
 * <p>Known nuance: delivery now happens shortly after the caller returns. A client broadcast
 * taken from the bus just before a {@code realtime.reauthorize} signal can therefore reach a
 * channel after the signal has held it ({@link Reauthorizer}). It then waits in the hold's
 * buffer and is dropped with it if access is revoked. Nothing committed after the revoking
 * change is ever delivered, as before.
 */
final class FanOut {
    static final int MAX_TASKS = 1024;
    private final Semaphore tasks = new Semaphore(MAX_TASKS);

    void deliver(Iterable<ChannelSession> channels, Predicate<ChannelSession> wanted, Outbound out, long position) {
        List<ChannelSession> chosen = new ArrayList<>();
        for (ChannelSession c : channels) if (wanted.test(c)) chosen.add(c);
        each(chosen, c -> c, c -> c.deliver(out, position));
    }

    /**
     * Runs {@code action} for each item on its channel's I/O thread. Everything a channel receives
     * from the change feed (changes, database broadcasts, RLS errors) goes through here, so that
     * one channel's frames keep the feed's order whatever their kind: a change delivered from the
     * calling thread could overtake a broadcast still waiting in an I/O thread's task, and the
     * broadcast would then be dropped as an older position.
     */
    <T> void each(List<T> items, Function<T, ChannelSession> channelOf, Consumer<T> action) {
        Map<XnioIoThread, List<T>> byThread = new HashMap<>(4);
        for (T item : items) byThread.computeIfAbsent(channelOf.apply(item).socket.ioThread, t -> new ArrayList<>(256)).add(item);
        boolean onIoThread = Thread.currentThread() instanceof XnioIoThread;
        for (Map.Entry<XnioIoThread, List<T>> e : byThread.entrySet()) {
            List<T> group = e.getValue();
            boolean counted = !onIoThread; // an I/O thread never waits for the others (they may wait for it)
            if (counted) tasks.acquireUninterruptibly();
            try {
                e.getKey().execute(() -> {
                    try {
                        group.forEach(action);
                    } finally {
                        if (counted) tasks.release();
                    }
                });
            } catch (RejectedExecutionException stopping) { // the server is stopping: deliver here
                if (counted) tasks.release();
                group.forEach(action);
            }
        }
    }
}
