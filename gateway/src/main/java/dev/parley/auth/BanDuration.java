package dev.parley.auth;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin API's {@code ban_duration}: a Go duration string as GoTrue parses it
 * ({@code "24h"}, {@code "1h30m"}, {@code "90s"}, {@code "876000h"}), or {@code "none"} to lift a ban.
 */
final class BanDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

    private BanDuration() {
    }

    /** The duration; ZERO lifts the ban. */
    static Duration parse(String raw) {
        if (raw.equals("none") || raw.equals("0")) return Duration.ZERO;
        String s = raw;
        boolean negative = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            negative = s.startsWith("-");
            s = s.substring(1);
        }
        if (s.equals("0")) return Duration.ZERO;
        Matcher m = PART.matcher(s);
        int at = 0;
        BigDecimal nanos = BigDecimal.ZERO;
        while (at < s.length() && m.find(at) && m.start() == at) {
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
            at = m.end();
        }
        // As Go's time.ParseDuration: a duration past int64 nanoseconds (about 292 years) is invalid.
        if (at == 0 || at != s.length() || nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw AuthError.validation("invalid format for ban duration: time: invalid duration \"" + raw + "\"");
        }
        Duration d = Duration.ofNanos(nanos.longValue());
        return negative ? d.negated() : d;
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
        };
    }
}
