package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * What one subscriber saw, in arrival order, reduced to what the robustness tests compare: the
 * row number of each data event ({@code postgres_changes} record {@code n}, or a database
 * broadcast's payload {@code n}) and {@code "lost"}/{@code "back"} for the listener's system
 * messages.
 */
final class StreamLog {
    private StreamLog() {
    }

    static boolean isListenerNotice(JsonNode m) {
        return m.path("event").asText().equals("system") && m.path("payload").path("extension").asText().equals("listener");
    }

    static boolean isData(JsonNode m) {
        String e = m.path("event").asText();
        return e.equals("postgres_changes") || e.equals("broadcast");
    }

    static Object entry(JsonNode m) {
        if (isListenerNotice(m)) return m.path("payload").path("status").asText().equals("ok") ? "back" : "lost";
        JsonNode p = m.path("payload");
        JsonNode n = m.path("event").asText().equals("postgres_changes") ? p.path("data").path("record").path("n") : p.path("payload").path("n");
        return n.asInt();
    }

    /** Reads until {@code rows} data events arrived (each wait times out), keeping listener notices. */
    static List<Object> read(PhoenixSocket s, int rows) {
        List<Object> out = new ArrayList<>();
        int data = 0;
        while (data < rows) {
            JsonNode m = s.await(x -> isData(x) || isListenerNotice(x), "row " + (data + 1) + " or a listener notice; so far " + out);
            Object e = entry(m);
            out.add(e);
            if (e instanceof Integer) data++;
        }
        return out;
    }

    /** Reads until the next listener notice; the data events before it are returned with it, last. */
    static List<Object> readThroughNotice(PhoenixSocket s) {
        List<Object> out = new ArrayList<>();
        while (true) {
            JsonNode m = s.await(x -> isData(x) || isListenerNotice(x), "a listener notice; so far " + out);
            Object e = entry(m);
            out.add(e);
            if (e instanceof String) return out;
        }
    }

    static List<Object> rows(int from, int to) {
        List<Object> out = new ArrayList<>();
        for (int i = from; i <= to; i++) out.add(i);
        return out;
    }
}
