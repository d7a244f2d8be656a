package dev.parley.realtime;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: what one channel sends
 * (broadcasts, presence changes) is published in the order the client sent it, although the
 * database executor has several threads. Holds no thread of its own; a channel that never sends
 * costs one small object.
 */
final class SerialExecutor implements Executor {
    private final Executor target;
    private ArrayDeque<Runnable> queue;
    private boolean running;

    SerialExecutor(Executor target) {
        this.target = target;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            if (running) {
                if (queue == null) queue = new ArrayDeque<>(4);
                queue.add(task);
                return;
            }
            running = true;
        }
        submit(task);
    }

    private void submit(Runnable task) {
        try {
            target.execute(() -> {
                try {
                    task.run();
                } finally {
                    next();
                }
            });
        } catch (RuntimeException rejected) {
            // the executor is shutting down: nothing queued behind this task will run either
            synchronized (this) {
                running = false;
                queue = null;
            }
            throw rejected;
        }
    }

    private void next() {
        Runnable task;
        synchronized (this) {
            task = queue == null ? null : queue.poll();
            if (task == null) {
                running = false;
                return;
            }
        }
        try {
            submit(task);
        } catch (RuntimeException shuttingDown) {
            // submit dropped the queue: the node is stopping and closes every socket itself
        }
    }
}
