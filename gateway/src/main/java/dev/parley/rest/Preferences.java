package dev.parley.rest;

import dev.parley.http.ApiError;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code Prefer} header (RFC 7240) as PostgREST reads it: return, count, resolution, missing,
 * handling, params. Each header value is split on commas; the first recognised value of each
 * preference wins. Anything unrecognised is ignored, unless {@code handling=strict} asks for a
 * 400 (PGRST122).
 */
public final class Preferences {
    /** Every value PostgREST recognises, by preference, in the order Preference-Applied lists them. */
    private static final Map<String, Set<String>> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("resolution", Set.of("merge-duplicates", "ignore-duplicates"));
        KNOWN.put("missing", Set.of("default", "null"));
        KNOWN.put("return", Set.of("representation", "minimal", "headers-only"));
        KNOWN.put("count", Set.of("exact", "planned", "estimated"));
        KNOWN.put("handling", Set.of("strict", "lenient"));
        KNOWN.put("params", Set.of("single-object"));
    }

    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> invalid = new ArrayList<>();

    private Preferences() {
    }

    public static Preferences of(HttpServerExchange exchange) {
        Preferences p = new Preferences();
        HeaderValues headers = exchange.getRequestHeaders().get("Prefer");
        if (headers == null) return p;
        for (String header : headers) {
            for (String token : header.split(",")) {
                String t = token.trim();
                if (t.isEmpty()) continue;
                int eq = t.indexOf('=');
                String key = eq < 0 ? t : t.substring(0, eq);
                String value = eq < 0 ? "" : t.substring(eq + 1);
                Set<String> known = KNOWN.get(key);
                if (known != null && known.contains(value)) {
                    p.values.putIfAbsent(key, value);
                } else if (!key.equals("timezone") && !key.equals("max-affected") && !key.equals("tx")) {
                    p.invalid.add(t);
                }
            }
        }
        if ("strict".equals(p.values.get("handling")) && !p.invalid.isEmpty()) {
            throw new ApiError(400, "PGRST122", "Invalid preferences given with handling=strict",
                    "Invalid preferences: " + String.join(", ", p.invalid), null);
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
        return values.containsKey("return");
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

    /**
     * The preferences honoured among {@code keys}, for the Preference-Applied header, in
     * PostgREST's order (resolution, missing, return, count, handling); empty when none.
     */
    public String applied(List<String> keys) {
        List<String> out = new ArrayList<>();
        for (String k : KNOWN.keySet()) {
            String v = values.get(k);
            if (v != null && (keys.contains(k) || k.equals("handling"))) out.add(k + "=" + v);
        }
        return String.join(", ", out);
    }
}
