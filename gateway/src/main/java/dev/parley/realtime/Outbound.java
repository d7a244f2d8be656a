package dev.parley.realtime;

/**
 * A message on its way to many sockets: encoded at most once per serializer, on first use, then
 * shared. {@code null} from {@link #frameFor} means the serializer cannot carry it (raw bytes to a
 * 1.0.0 socket), and that socket skips it.
 */
final class Outbound {
    private final Message message;
    private volatile Frame v1;
    private volatile Frame v2;
    private volatile boolean v1Done;

    Outbound(Message message) {
        this.message = message;
    }

    Message message() {
        return message;
    }

    Frame frameFor(Serializer s) {
        if (s == Serializer.V2) {
            Frame f = v2;
            if (f == null) v2 = f = s.encode(message);
            return f;
        }
        if (!v1Done) {
            v1 = s.encode(message);
            v1Done = true;
        }
        return v1;
    }
}
