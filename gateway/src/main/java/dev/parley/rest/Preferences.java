package dev.parley.rest;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code Prefer} header (RFC 7240) as PostgREST reads it: return, count, resolution, missing,
 * params. Unknown or malformed preferences are ignored, as the RFC asks (handling=strict aside).
 */
public final class Preferences {
    private final Map<String, String> values = new LinkedHashMap<>();

    private Preferences() {
    }

    public static Preferences of(HttpServerExchange exchange) {
        Preferences p = new Preferences();
        HeaderValues headers = exchange.getRequestHeaders().get("Prefer");
        if (headers == null) return p;
        for (String header : headers) {
            for (String token : header.split(",")) {
                String t = token.trim();
                int eq = t.indexOf('=');
                if (eq <= 0) {
                    if (!t.isEmpty()) p.values.put(t.toLowerCase(Locale.ROOT), "");
                    continue;
                }
                p.values.put(t.substring(0, eq).trim().toLowerCase(Locale.ROOT), t.substring(eq + 1).trim());
            }
        }
        return p;
    }

    public enum Count { NONE, EXACT, PLANNED, ESTIMATED }

    public enum Return { MINIMAL, REPRESENTATION, HEADERS_ONLY }

    public enum Resolution { NONE, MERGE_DUPLICATES, IGNORE_DUPLICATES }

    public Count count() {
        return switch (values.getOrDefault("count", "")) {
            case "exact" -> Count.EXACT;
            case "planned" -> Count.PLANNED;
            case "estimated" -> Count.ESTIMATED;
            default -> Count.NONE;
        };
    }

    /** {@code return=}; PostgREST's default for writes is minimal. */
    public Return returning() {
        return switch (values.getOrDefault("return", "")) {
            case "representation" -> Return.REPRESENTATION;
            case "headers-only" -> Return.HEADERS_ONLY;
            default -> Return.MINIMAL;
        };
    }

    public boolean returningGiven() {
        String r = values.get("return");
        return r != null && (r.equals("representation") || r.equals("headers-only") || r.equals("minimal"));
    }

    public Resolution resolution() {
        return switch (values.getOrDefault("resolution", "")) {
            case "merge-duplicates" -> Resolution.MERGE_DUPLICATES;
            case "ignore-duplicates" -> Resolution.IGNORE_DUPLICATES;
            default -> Resolution.NONE;
        };
    }

    /** {@code missing=default}: columns absent from the body take their defaults instead of null. */
    public boolean missingDefault() {
        return "default".equals(values.get("missing"));
    }

    /** {@code params=single-object}: an RPC receives the whole body as its one argument. */
    public boolean singleObject() {
        return "single-object".equals(values.get("params"));
    }

    /** The preferences honoured, for the Preference-Applied header; empty when none. */
    public String applied(List<String> keys) {
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            String v = values.get(k);
            if (v != null && !v.isEmpty()) out.add(k + "=" + v);
        }
        return String.join(", ", out);
    }
}
