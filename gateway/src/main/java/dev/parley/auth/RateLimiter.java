package dev.parley.auth;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Limits password sign-in attempts per email and per client address, in fixed windows kept in
 * auth.sign_in_attempts, so every gateway on the database enforces the same budget. Every
 * attempt counts, successful or not, and the count is taken before the password is checked, so
 * a blocked attacker costs no bcrypt run. The price is that someone can exhaust the budget of
 * another person's email; the per-email limit is therefore per window (5 minutes by default),
 * never a permanent lock.
 */
final class RateLimiter {
    private static final String COUNT = "insert into auth.sign_in_attempts as a (key, window_start, attempts)"
            + " select k, now(), 1 from unnest(?::text[]) as k"
            + " on conflict (key) do update set"
            + " window_start = case when a.window_start <= now() - make_interval(secs => ?) then now() else a.window_start end,"
            + " attempts = case when a.window_start <= now() - make_interval(secs => ?) then 1 else a.attempts + 1 end"
            + " returning key, attempts,"
            + " ceil(extract(epoch from a.window_start + make_interval(secs => ?) - now()))::bigint";

    private final DataSource pool;
    private final int perEmail;
    private final int perAddress;
    private final long windowSeconds;

    RateLimiter(DataSource pool, AuthSettings settings) {
        this.pool = pool;
        this.perEmail = settings.rateLimitPerEmail();
        this.perAddress = settings.rateLimitPerAddress();
        this.windowSeconds = settings.rateLimitWindowSeconds();
    }

    /** Counts one attempt; throws 429 with Retry-After when either budget is spent. */
    void attempt(String normalizedEmail, String address) throws SQLException {
        List<String> keys = new ArrayList<>(2);
        if (perEmail > 0) keys.add("email:" + normalizedEmail);
        if (perAddress > 0) keys.add("addr:" + address);
        if (keys.isEmpty()) return;
        long retryAfter = 0;
        try (Connection c = pool.getConnection(); PreparedStatement st = c.prepareStatement(COUNT)) {
            Array array = c.createArrayOf("text", keys.toArray());
            st.setArray(1, array);
            st.setLong(2, windowSeconds);
            st.setLong(3, windowSeconds);
            st.setLong(4, windowSeconds);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    int limit = rs.getString(1).startsWith("email:") ? perEmail : perAddress;
                    if (rs.getInt(2) > limit) retryAfter = Math.max(retryAfter, Math.max(1, rs.getLong(3)));
                }
            }
        }
        if (retryAfter > 0) throw AuthError.tooManyRequests(retryAfter);
    }

    /** Forgets windows that have ended; run periodically. */
    void purge() throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement st = c.prepareStatement(
                "delete from auth.sign_in_attempts where window_start <= now() - make_interval(secs => ?)")) {
            st.setLong(1, windowSeconds);
            st.executeUpdate();
        }
    }
}
