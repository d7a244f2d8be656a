package dev.parley.realtime;

import org.xnio.XnioIoThread;

import java.util.ArrayList;
import java.util.List;

/**
 * The sockets of one I/O thread with frames queued by that same thread (a {@link FanOut} task),
 * written by one task that runs after the tasks already queued. So the fan-out of an event costs
 * one task hand-off per I/O thread, not one per socket, and when several events' fan-out tasks
 * are queued, each socket's frames of all of them go out in one write. Used only on its thread.
 */
final class IoFlusher {
    private static final ThreadLocal<IoFlusher> CURRENT = new ThreadLocal<>();
    private final XnioIoThread thread;
    private List<SocketSession> pending = new ArrayList<>();
    private final Runnable flush = this::flush;
    private boolean scheduled;

    private IoFlusher(XnioIoThread thread) {
        this.thread = thread;
    }

    /** The flusher of the calling I/O thread. */
    static IoFlusher of(XnioIoThread thread) {
        IoFlusher f = CURRENT.get();
        if (f == null) CURRENT.set(f = new IoFlusher(thread));
        return f;
    }

    /** Queues {@code s}'s drain for the flush; the caller runs on {@code s}'s I/O thread. */
    void add(SocketSession s) {
        if (!scheduled) {
            thread.execute(flush); // throws RejectedExecutionException when the worker stops
            scheduled = true;
        }
        pending.add(s);
    }

    private void flush() {
        scheduled = false;
        List<SocketSession> now = pending;
        pending = new ArrayList<>(now.size());
        for (SocketSession s : now) s.drain();
    }
}
