package dev.parley.realtime;

import java.nio.charset.StandardCharsets;

/**
 * An encoded outgoing frame, as bytes ready for the wire: UTF-8 JSON text, or a binary frame.
 * Encoded once and shared by every socket it is fanned out to (only a ByteBuffer wrapper is made
 * per socket).
 */
record Frame(byte[] bytes, boolean binary) {
    static Frame text(String text) {
        return new Frame(text.getBytes(StandardCharsets.UTF_8), false);
    }

    static Frame binary(byte[] bytes) {
        return new Frame(bytes, true);
    }

    String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
