package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.auth.Caller;
import io.undertow.websockets.core.WebSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One WebSocket: reads Phoenix messages (on its I/O thread; anything that touches the database
 * goes to the node's executor), routes them to its channels, and owns the bounded outbound queue.
 *
 * <p>Outbound: any thread may {@link #send} a frame (encoded once per serializer and shared by
 * every socket it goes to); it is appended to this socket's outbox, and one drain task on the
 * socket's own I/O thread writes everything queued. Frames are written as pre-built wire bytes
 * ({@link Frame#wire}), many per gathering write, straight to the connection through
 * {@link WireConduit} (Undertow keeps the read side and the handshake, but no longer frames each
 * outgoing message in its own sink channel). So the fan-out thread never touches the connection,
 * a burst to one socket costs one cross-thread hand-off and, usually, one system call.
 *
 * <p>Back-pressure: a frame counts from {@link #send} until its last byte is written. A
 * socket with more than {@code maxQueuedMessages} frames unwritten is a consumer that cannot keep
 * up: it is disconnected with close code 1013 and a reason, so it neither slows the others
 * (fan-out never waits for it, the I/O thread never blocks on it) nor grows memory without bound
 * (frames are shared, the count is capped).
 */
final class SocketSession {
    private static final Logger log = LoggerFactory.getLogger(SocketSession.class);
    static final int CLOSE_SLOW_CONSUMER = 1013;
    static final int CLOSE_POLICY = 1008;
    static final int CLOSE_GRACE_SECONDS = 30;
    /** RFC 6455's "no status code": answered with a close frame without a payload. */
    static final int NO_STATUS = 1005;
    /** Frames per gathering write (the kernel takes at most 1024 buffers per call). */
    static final int WRITE_BATCH = 256;

    private static final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
    final String id = Long.toString(ids.incrementAndGet(), 36);
    final RealtimeNode node;
    final WebSocketChannel ws;
    /** The thread that reads and writes this socket (cached: fan-out groups sockets by it). */
    final org.xnio.XnioIoThread ioThread;
    final Serializer serializer;
    final Caller socketCaller;
    final String socketToken;
    final Map<String, ChannelSession> channels = new ConcurrentHashMap<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Frames not yet handed to Undertow, in send order; drained only on the I/O thread. */
    private final ConcurrentLinkedQueue<Frame> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    /** The close frame to send once the outbox is drained (set once, by {@link #close}). */
    private volatile Closing closing;
    /** Where this socket's frames are written, beside Undertow (see {@link WireConduit}). */
    private final WireConduit wire;
    /** Frames being written, in order, from batchStart to batchEnd; I/O thread only. */
    private final ByteBuffer[] batch = new ByteBuffer[WRITE_BATCH];
    private final Frame[] batchFrames = new Frame[WRITE_BATCH];
    private int batchStart;
    private int batchEnd;
    private boolean closeInBatch;
    private volatile boolean peerClosed;
    private volatile long lastHeardMillis;
    private volatile boolean closed;
    private long windowStart;
    private int messagesInWindow;
    private int joinsInWindow;

    /** The close frame this socket sends last. */
    private record Closing(int code, String reason) {
    }

    /** What the upgrade request established: serializer, the socket's caller and raw token. */
    record Handshake(Serializer serializer, Caller caller, String token) {
    }

    SocketSession(RealtimeNode node, WebSocketChannel ws, Serializer serializer, Caller socketCaller, String socketToken) {
        this.node = node;
        this.ws = ws;
        this.ioThread = ws.getIoThread();
        this.serializer = serializer;
        this.socketCaller = socketCaller;
        this.socketToken = socketToken;
        this.lastHeardMillis = node.clock.millis();
        this.wire = (WireConduit) ws.getAttribute(WireConduit.class.getName());
        wire.onWritable(this::write);
    }

    // ---- inbound (I/O thread) ----

    void onText(String text) {
        Message m;
        try {
            m = serializer.decodeText(text);
        } catch (ProtocolException e) {
            close(CLOSE_POLICY, e.getMessage());
            return;
        }
        handle(m);
    }

    void onBinary(ByteBuffer data) {
        Message m;
        try {
            m = serializer.decodeBinary(data);
        } catch (ProtocolException e) {
            close(CLOSE_POLICY, e.getMessage());
            return;
        }
        handle(m);
    }

    private void handle(Message m) {
        lastHeardMillis = node.clock.millis();
        if (!withinRate(m)) return;
        if (m.topic().equals("phoenix")) {
            if (m.event().equals("heartbeat")) reply(null, m.ref(), "phoenix", "ok", JsonNodeFactory.instance.objectNode());
            else replyError(m, "unknown event on topic phoenix: " + m.event());
            return;
        }
        if (m.event().equals("phx_join")) {
            node.joins.join(this, m);
            return;
        }
        ChannelSession c = channels.get(m.topic());
        if (c == null || (m.joinRef() != null && !m.joinRef().equals(c.joinRef))) {
            replyError(m, "unmatched topic");
            return;
        }
        switch (m.event()) {
            case "phx_leave" -> {
                reply(m.joinRef(), m.ref(), m.topic(), "ok", JsonNodeFactory.instance.objectNode());
                leave(c, null);
            }
            case "broadcast" -> node.broadcasts.fromClient(c, m);
            case "presence" -> node.presence.handle(c, m);
            case "access_token" -> node.joins.refreshToken(c, m);
            default -> replyError(m, "unknown event '" + m.event() + "' (expected broadcast, presence, access_token or phx_leave)");
        }
    }

    /** Fixed one-second windows: cheap, and enough to stop a runaway client. */
    private boolean withinRate(Message m) {
        long now = node.clock.millis();
        if (now - windowStart >= 1000) {
            windowStart = now;
            messagesInWindow = 0;
            joinsInWindow = 0;
        }
        if (++messagesInWindow > node.settings.maxMessagesPerSecond()) {
            replyError(m, "RateLimitReached: more than " + node.settings.maxMessagesPerSecond() + " messages per second");
            return false;
        }
        if (m.event().equals("phx_join") && ++joinsInWindow > node.settings.maxJoinsPerSecond()) {
            replyError(m, "ClientJoinRateLimitReached: more than " + node.settings.maxJoinsPerSecond() + " joins per second");
            return false;
        }
        return true;
    }

    // ---- outbound (any thread) ----

    void send(Frame f) {
        if (closed) return;
        if (queued.incrementAndGet() > node.settings.maxQueuedMessages()) {
            queued.decrementAndGet();
            disconnectSlowConsumer();
            return;
        }
        outbox.add(f);
        scheduleDrain();
    }

    /**
     * One drain per burst: on the socket's own I/O thread (a fan-out task) it joins the thread's
     * next flush ({@link IoFlusher}); from any other thread it is a task of its own.
     */
    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                if (Thread.currentThread() == ioThread) IoFlusher.of(ioThread).add(this);
                else ioThread.execute(drain);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                drainScheduled.set(false); // the worker is shutting down and closes the connection itself
            }
        }
    }

    /**
     * On the I/O thread: writes what is queued unless a write is already waiting for the socket to
     * become writable (then the write listener continues it). The flag is cleared first, so a frame
     * queued meanwhile is either written by this drain or schedules the next one.
     */
    void drain() {
        drainScheduled.set(false);
        if (!wire.ownWaiting()) write();
    }

    /**
     * On the I/O thread: moves queued frames into the batch (a duplicate of each shared wire
     * buffer) and writes the batch with one gathering write, again until the outbox is empty or the
     * socket takes no more. A short write leaves the rest in the batch, in order, and waits for
     * writability ({@link WireConduit#onWritable}); nothing here blocks. The close frame, once
     * closing, goes after everything queued before it, and nothing goes after it.
     */
    private void write() {
        if (wire.isCloseWritten()) {
            discardOutbox();
            return;
        }
        try {
            while (true) {
                while (batchEnd < batch.length && !closeInBatch) {
                    Frame f = outbox.poll();
                    if (f == null) {
                        Closing c = closing;
                        if (c == null) break;
                        f = c.code() == NO_STATUS ? Frame.closeWithoutStatus() : Frame.close(c.code(), c.reason());
                        closeInBatch = true;
                    }
                    batch[batchEnd] = f.wire().duplicate();
                    batchFrames[batchEnd++] = f;
                }
                if (batchStart == batchEnd) break;
                wire.writeOwn(batch, batchStart, batchEnd - batchStart);
                while (batchStart < batchEnd && !batch[batchStart].hasRemaining()) {
                    Frame done = batchFrames[batchStart];
                    batch[batchStart] = null;
                    batchFrames[batchStart++] = null;
                    queued.decrementAndGet();
                    if (done.isClose()) {
                        closeWrittenNow();
                        return;
                    }
                }
                if (batchStart < batchEnd) { // the socket is full: continue when it is writable
                    wire.ownState(batch[batchStart].position() > 0, true);
                    return;
                }
                batchStart = batchEnd = 0;
            }
            wire.ownState(false, false);
        } catch (java.io.IOException gone) {
            wire.ownState(false, false);
            wire.closeWritten(); // nothing more can be written: the connection is broken
            discardOutbox();
            IoUtils.safeClose(ws);
        }
    }

    /** Our close frame is on the wire: half-close, and end the connection once the peer answered. */
    private void closeWrittenNow() {
        wire.ownState(false, false);
        wire.closeWritten();
        discardOutbox();
        if (peerClosed) IoUtils.safeClose(ws);
        else wire.shutdownWritesQuietly();
    }

    /** I/O thread: drops what can no longer be written, so the queued count returns to zero. */
    private void discardOutbox() {
        while (batchStart < batchEnd) {
            batch[batchStart] = null;
            batchFrames[batchStart++] = null;
            queued.decrementAndGet();
        }
        batchStart = batchEnd = 0;
        while (outbox.poll() != null) queued.decrementAndGet();
    }

    /** A ping from the client: answered with a pong carrying its data, in order with the rest. */
    void onPing(byte[] data) {
        send(Frame.pong(data));
    }

    /**
     * The client's close frame (I/O thread): answered with a close frame echoing its code after
     * what is queued, unless ours is already out, then the connection ends.
     */
    void onPeerClose(int code, String reason) {
        peerClosed = true;
        if (wire.isCloseWritten()) {
            IoUtils.safeClose(ws);
            return;
        }
        boolean sendable = code >= 1000 && code != 1005 && code != 1006 && code != 1015;
        close(sendable ? code : NO_STATUS, sendable ? reason : "");
    }

    void reply(String joinRef, String ref, String topic, String status, JsonNode response) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.put("status", status);
        payload.set("response", response);
        send(Frame.text(serializer.encodeText(joinRef, ref, topic, "phx_reply", payload)));
    }

    void replyError(Message m, String reason) {
        if (m.ref() == null) return;
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("reason", reason);
        reply(m.joinRef(), m.ref(), m.topic(), "error", r);
    }

    int queuedFrames() {
        return queued.get();
    }

    // ---- lifecycle ----

    /**
     * Ends a channel: an optional system error saying why, phx_close, then it stops receiving and
     * its presence is removed.
     */
    void leave(ChannelSession c, String reason) {
        if (reason != null) c.system("system", "error", reason);
        if (!c.markClosed()) return;
        send(Frame.text(serializer.encodeText(c.joinRef, c.joinRef, c.topic, "phx_close", JsonNodeFactory.instance.objectNode())));
        channels.remove(c.topic, c);
        node.topics.remove(c);
        node.presence.untrack(c);
    }

    long lastHeardMillis() {
        return lastHeardMillis;
    }

    boolean isClosed() {
        return closed;
    }

    void disconnectSlowConsumer() {
        log.warn("disconnecting a slow consumer ({} frames unwritten)", queued.get());
        close(CLOSE_SLOW_CONSUMER, "slow consumer: more than " + node.settings.maxQueuedMessages() + " messages queued");
    }

    /**
     * Sends a close frame with a reason (queued behind the frames already queued: a stalled client
     * that starts reading again within {@link #CLOSE_GRACE_SECONDS} still learns why), then drops
     * the connection. Nothing more is queued once closing, so a closing socket holds at most the
     * frames it already had.
     */
    void close(int code, String reason) {
        if (closed) return;
        closed = true;
        queued.incrementAndGet();
        closing = new Closing(code, reason);
        scheduleDrain();
        try {
            node.scheduler.schedule(() -> IoUtils.safeClose(ws), CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // the server is stopping and closes every connection itself
        }
        onClosed();
    }

    /** The connection is gone (or going): every channel stops and its presence is removed. */
    void onClosed() {
        closed = true;
        if (!ws.isOpen()) { // gone: nothing more will be written
            if (Thread.currentThread() == ioThread) discardOutbox(); // the batch too (I/O thread state)
            else while (outbox.poll() != null) queued.decrementAndGet();
        }
        for (ChannelSession c : channels.values()) {
            if (c.markClosed()) {
                node.topics.remove(c);
                node.presence.untrack(c);
            }
        }
        channels.clear();
        node.topics.removeSocket(this);
    }
}
