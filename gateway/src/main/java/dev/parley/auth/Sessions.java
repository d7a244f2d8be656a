package dev.parley.auth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * auth.sessions: one row per signed-in device. A session ends by deleting its row (its refresh
 * tokens cascade). Access tokens already issued for it stay valid for REST and realtime until
 * their exp (they are stateless JWTs), but /auth/v1 checks the row and refuses them at once.
 */
final class Sessions {
    private Sessions() {
    }

    record Session(UUID id, UUID userId, String aal, String amrMethod, Instant createdAt) {
    }

    static Session create(Connection c, UUID userId, String userAgent, String ip) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("insert into auth.sessions (user_id, user_agent, ip)"
                + " values (?, ?, ?) returning id, user_id, aal, amr_method, created_at")) {
            st.setObject(1, userId);
            st.setString(2, userAgent);
            st.setString(3, ip);
            return one(st).orElseThrow();
        }
    }

    static Optional<Session> find(Connection c, UUID id, boolean forUpdate) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select id, user_id, aal, amr_method, created_at"
                + " from auth.sessions where id = ?" + (forUpdate ? " for update" : ""))) {
            st.setObject(1, id);
            return one(st);
        }
    }

    /** Why a live session may no longer be used, as GoTrue's session validity check. */
    enum Expiry { NONE, TIMEBOX, INACTIVITY }

    /**
     * Whether session {@code id} has outlived {@code timeboxSeconds} since sign-in or
     * {@code inactivitySeconds} since its last refresh (0 = no such limit). Decided by the
     * database clock, which every gateway shares.
     */
    static Expiry expiry(Connection c, UUID id, long timeboxSeconds, long inactivitySeconds) throws SQLException {
        if (timeboxSeconds == 0 && inactivitySeconds == 0) return Expiry.NONE;
        try (PreparedStatement st = c.prepareStatement("select"
                + " ? > 0 and now() > created_at + make_interval(secs => ?),"
                + " ? > 0 and now() > coalesce(refreshed_at, created_at) + make_interval(secs => ?)"
                + " from auth.sessions where id = ?")) {
            st.setLong(1, timeboxSeconds);
            st.setLong(2, timeboxSeconds);
            st.setLong(3, inactivitySeconds);
            st.setLong(4, inactivitySeconds);
            st.setObject(5, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) return Expiry.NONE;
                if (rs.getBoolean(1)) return Expiry.TIMEBOX;
                return rs.getBoolean(2) ? Expiry.INACTIVITY : Expiry.NONE;
            }
        }
    }

    static void touch(Connection c, UUID id, String userAgent, String ip) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("update auth.sessions set refreshed_at = now(), updated_at = now(),"
                + " user_agent = ?, ip = ? where id = ?")) {
            st.setString(1, userAgent);
            st.setString(2, ip);
            st.setObject(3, id);
            st.executeUpdate();
        }
    }

    static void delete(Connection c, UUID id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("delete from auth.sessions where id = ?")) {
            st.setObject(1, id);
            st.executeUpdate();
        }
    }

    /** Ends every session of a user except {@code keep} (null: all of them). */
    static void deleteAllOf(Connection c, UUID userId, UUID keep) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("delete from auth.sessions where user_id = ?"
                + " and (?::uuid is null or id <> ?::uuid)")) {
            st.setObject(1, userId);
            st.setObject(2, keep);
            st.setObject(3, keep);
            st.executeUpdate();
        }
    }

    private static Optional<Session> one(PreparedStatement st) throws SQLException {
        try (ResultSet rs = st.executeQuery()) {
            if (!rs.next()) return Optional.empty();
            return Optional.of(new Session(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                    rs.getString(4), rs.getTimestamp(5).toInstant()));
        }
    }
}
