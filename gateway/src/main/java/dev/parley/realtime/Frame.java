package dev.parley.realtime;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An outgoing WebSocket frame: UTF-8 JSON text, a binary frame, or a control frame (close,
 * pong). Server-to-client frames are never masked (RFC 6455 section 5.1), so the complete wire
 * form of a frame, header and payload, is the same for every socket it goes to: it is built once,
 * on first use, into a read-only direct buffer, and each socket writes its own {@code duplicate()}
 * (no copy per socket, and a gathering write hands many of them to the kernel in one call).
 */
final class Frame {
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PONG = 0xA;
    /** A close frame's payload is at most 125 bytes: 2 for the code, 123 for the reason. */
    static final int MAX_CLOSE_REASON_BYTES = 123;

    private final byte[] payload;
    private final int opcode;
    private volatile ByteBuffer wire;

    private Frame(byte[] payload, int opcode) {
        this.payload = payload;
        this.opcode = opcode;
    }

    static Frame text(String text) {
        return new Frame(text.getBytes(StandardCharsets.UTF_8), OP_TEXT);
    }

    static Frame binary(byte[] bytes) {
        return new Frame(bytes, OP_BINARY);
    }

    /** A close frame with {@code code} and {@code reason} (cut to whole UTF-8 characters that fit). */
    static Frame close(int code, String reason) {
        byte[] r = utf8Prefix(reason == null ? "" : reason, MAX_CLOSE_REASON_BYTES);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return new Frame(p, OP_CLOSE);
    }

    /** A close frame without a status (the answer to a peer's close that had none). */
    static Frame closeWithoutStatus() {
        return new Frame(new byte[0], OP_CLOSE);
    }

    /** The answer to a ping: its application data, echoed. */
    static Frame pong(byte[] data) {
        return new Frame(data, OP_PONG);
    }

    byte[] bytes() {
        return payload;
    }

    boolean binary() {
        return opcode == OP_BINARY;
    }

    boolean isClose() {
        return opcode == OP_CLOSE;
    }

    String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /**
     * The whole frame as it goes on the wire (FIN set, unmasked), read-only and shared: callers
     * write a {@code duplicate()}. Built once; a race builds it twice, harmlessly.
     */
    ByteBuffer wire() {
        ByteBuffer w = wire;
        if (w == null) wire = w = encode();
        return w;
    }

    private ByteBuffer encode() {
        int n = payload.length;
        int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
        ByteBuffer b = ByteBuffer.allocateDirect(header + n);
        b.put((byte) (0x80 | opcode));
        if (n < 126) {
            b.put((byte) n);
        } else if (n <= 0xFFFF) {
            b.put((byte) 126).putShort((short) n);
        } else {
            b.put((byte) 127).putLong(n);
        }
        b.put(payload).flip();
        return b.asReadOnlyBuffer();
    }

    private static byte[] utf8Prefix(String s, int maxBytes) {
        byte[] all = s.getBytes(StandardCharsets.UTF_8);
        if (all.length <= maxBytes) return all;
        int end = maxBytes;
        while (end > 0 && (all[end] & 0xC0) == 0x80) end--; // never split a character
        return java.util.Arrays.copyOf(all, end);
    }
}
