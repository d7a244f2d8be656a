package dev.parley.realtime;

import org.xnio.Buffers;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.StreamConnection;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.StreamSinkConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The write end of one WebSocket connection, shared by two writers that must never interleave
 * inside a frame: the socket's {@link SocketSession}, which writes its pre-built frames here
 * directly (many per gathering write), and Undertow, which still owns the read side and may write
 * a frame of its own on error paths (a close for a protocol error, an oversized message or a
 * dropped connection). Installed between Undertow's framing and the connection by
 * {@link WireHandshake}; everything here runs on the connection's I/O thread.
 *
 * <ul>
 *   <li>While Parley's last write stopped inside a frame, Undertow's writes take nothing (it
 *       waits for writability, as after any short write), and vice versa.</li>
 *   <li>While Parley waits for writability, Undertow may not suspend writes (it does so whenever
 *       it has nothing of its own to send); the shared write listener runs Parley's writer first,
 *       then Undertow's.</li>
 *   <li>Once Parley's close frame is on the wire nothing more may follow it: Undertow's writes
 *       are then dropped (reported as written, so it does not wait for them).</li>
 * </ul>
 */
final class WireConduit extends AbstractStreamSinkConduit<StreamSinkConduit> {
    private final ConduitStreamSinkChannel sink;
    private boolean ownPartial;
    private boolean ownWaiting;
    private boolean undertowPartial;
    private boolean closeWritten;

    private WireConduit(ConduitStreamSinkChannel sink) {
        super(sink.getConduit());
        this.sink = sink;
    }

    /** Puts a guard above whatever conduit Undertow installed on the connection's sink. */
    static WireConduit install(StreamConnection connection) {
        ConduitStreamSinkChannel sink = connection.getSinkChannel();
        WireConduit c = new WireConduit(sink);
        sink.setConduit(c);
        return c;
    }

    /**
     * Makes {@code writer} run whenever the connection becomes writable, before Undertow's own
     * listener (which flushes Undertow's frames, if any, and suspends writes when it has none).
     */
    void onWritable(Runnable writer) {
        ChannelListener<? super ConduitStreamSinkChannel> undertow = sink.getWriteListener();
        sink.setWriteListener(ch -> {
            writer.run();
            if (undertow != null) ChannelListeners.invokeChannelListener(ch, undertow);
            if (ownWaiting) ch.resumeWrites();
        });
    }

    // ---- Parley's writer ----

    /** A gathering write of whole pre-built frames; 0 while Undertow is inside a frame of its own. */
    long writeOwn(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (undertowPartial) return 0;
        return next.write(srcs, offset, length);
    }

    /**
     * After each write: whether it stopped inside a frame, and whether bytes are still waiting (then
     * writes are resumed and the write listener continues).
     */
    void ownState(boolean partial, boolean waiting) {
        ownPartial = partial;
        ownWaiting = waiting;
        if (waiting) sink.resumeWrites();
    }

    boolean ownWaiting() {
        return ownWaiting;
    }

    /** Parley's close frame is out: no byte may follow it. */
    void closeWritten() {
        closeWritten = true;
    }

    boolean isCloseWritten() {
        return closeWritten;
    }

    void shutdownWritesQuietly() {
        try {
            sink.shutdownWrites();
            sink.flush();
        } catch (IOException ignored) {
            // the connection is going away; the socket's close task tidies up
        }
    }

    // ---- Undertow's writes ----

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (closeWritten) return swallow(src);
        if (ownPartial) return 0;
        int n = next.write(src);
        undertowPartial = src.hasRemaining();
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (closeWritten) {
            long n = 0;
            for (int i = offset; i < offset + length; i++) n += swallow(srcs[i]);
            return n;
        }
        if (ownPartial) return 0;
        long n = next.write(srcs, offset, length);
        undertowPartial = Buffers.hasRemaining(srcs, offset, length);
        return n;
    }

    @Override
    public int writeFinal(ByteBuffer src) throws IOException {
        if (closeWritten || ownPartial) return write(src);
        int n = next.writeFinal(src);
        undertowPartial = src.hasRemaining();
        return n;
    }

    @Override
    public long writeFinal(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (closeWritten || ownPartial) return write(srcs, offset, length);
        long n = next.writeFinal(srcs, offset, length);
        undertowPartial = Buffers.hasRemaining(srcs, offset, length);
        return n;
    }

    @Override
    public long transferFrom(FileChannel src, long position, long count) throws IOException {
        if (closeWritten || ownPartial) return 0; // never used by Undertow's WebSocket framing
        return next.transferFrom(src, position, count);
    }

    @Override
    public long transferFrom(org.xnio.channels.StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
        if (closeWritten || ownPartial) {
            throughBuffer.limit(0);
            return 0;
        }
        return next.transferFrom(source, count, throughBuffer);
    }

    @Override
    public void suspendWrites() {
        if (!ownWaiting) next.suspendWrites();
    }

    private static int swallow(ByteBuffer b) {
        int n = b.remaining();
        b.position(b.limit());
        return n;
    }
}
