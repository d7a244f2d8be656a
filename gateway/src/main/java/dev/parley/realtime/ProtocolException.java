package dev.parley.realtime;

/** A frame the server cannot read as a Phoenix message; the socket answers or closes with the reason. */
final class ProtocolException extends Exception {
    ProtocolException(String message) {
        super(message, null, false, false);
    }
}
