package dev.parley.auth;

import dev.parley.db.Secrets;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.UUID;

/**
 * Rotating refresh tokens with reuse detection.
 *
 * <p>A session's first token is 32 random bytes. Using a token revokes it and issues its child,
 * {@code HMAC-SHA256(key, token)} with a key derived from the JWT secret. The database holds only
 * SHA-256 hashes, so a leaked table yields no usable token, and since the child is a function of
 * the parent, a second use of the same parent can be answered with the same child without
 * storing any token in clear.
 *
 * <p>Presenting a token that was already rotated means two parties hold it: the client and
 * possibly a thief. If it happens within the reuse interval of its rotation and its child is
 * still the session's live token, it is taken for a concurrent refresh (two tabs, a retried
 * request) and answered with that same child. Otherwise the whole session is deleted: every
 * token of it stops working, and the client must sign in again.
 *
 * <p>All of it runs in one transaction that first locks the session row, so refreshes of one
 * session are serialized across every gateway sharing the database.
 */
final class RefreshTokens {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final SecretKeySpec rotationKey;
    private final long reuseIntervalSeconds;
    private final SecureRandom random = new SecureRandom();

    RefreshTokens(String jwtSecret, long reuseIntervalSeconds) {
        this.rotationKey = new SecretKeySpec(
                Secrets.derive(jwtSecret, "refresh-token-rotation").getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.reuseIntervalSeconds = reuseIntervalSeconds;
    }

    /** The outcome of presenting a token: who it belongs to and the token to hand back. */
    record Rotation(UUID userId, UUID sessionId, String token) {
    }

    /** A session's first token. */
    String issueFirst(Connection c, UUID sessionId, UUID userId) throws SQLException {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = B64.encodeToString(bytes);
        insert(c, token, null, userId, sessionId);
        return token;
    }

    /**
     * Rotates {@code token} inside the caller's transaction (autocommit off). Throws
     * {@link ReuseDetected} after deleting the session when the token was reused outside the
     * interval: the caller must commit that deletion, then refuse.
     */
    Rotation rotate(Connection c, String token) throws SQLException {
        byte[] hash = sha256(token);
        UUID sessionId = sessionOf(c, hash);
        if (sessionId == null || Sessions.find(c, sessionId, true).isEmpty()) throw notFound();
        try (PreparedStatement st = c.prepareStatement("select id, user_id, revoked,"
                + " updated_at > now() - make_interval(secs => ?) from auth.refresh_tokens where token_hash = ? for update")) {
            st.setDouble(1, reuseIntervalSeconds);
            st.setBytes(2, hash);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) throw notFound();
                long id = rs.getLong(1);
                UUID userId = rs.getObject(2, UUID.class);
                boolean revoked = rs.getBoolean(3);
                boolean withinInterval = rs.getBoolean(4);
                String child = child(token);
                if (!revoked) {
                    revoke(c, id);
                    insert(c, child, hash, userId, sessionId);
                    return new Rotation(userId, sessionId, child);
                }
                if (withinInterval && childIsLive(c, hash)) return new Rotation(userId, sessionId, child);
                Sessions.delete(c, sessionId);
                throw new ReuseDetected();
            }
        }
    }

    /** Signals that a rotated token was replayed and its session is gone (commit, then refuse). */
    static final class ReuseDetected extends RuntimeException {
        ReuseDetected() {
            super("refresh token reused", null, false, false);
        }

        AuthError error() {
            return AuthError.badRequest("refresh_token_already_used", "Invalid Refresh Token: Already Used");
        }
    }

    static AuthError notFound() {
        return AuthError.badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
    }

    private static UUID sessionOf(Connection c, byte[] hash) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select session_id from auth.refresh_tokens where token_hash = ?")) {
            st.setBytes(1, hash);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getObject(1, UUID.class) : null;
            }
        }
    }

    private static boolean childIsLive(Connection c, byte[] parentHash) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "select 1 from auth.refresh_tokens where parent_hash = ? and not revoked")) {
            st.setBytes(1, parentHash);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void revoke(Connection c, long id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "update auth.refresh_tokens set revoked = true, updated_at = now() where id = ?")) {
            st.setLong(1, id);
            st.executeUpdate();
        }
    }

    private static void insert(Connection c, String token, byte[] parentHash, UUID userId, UUID sessionId)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("insert into auth.refresh_tokens"
                + " (token_hash, parent_hash, user_id, session_id) values (?, ?, ?, ?)")) {
            st.setBytes(1, sha256(token));
            st.setBytes(2, parentHash);
            st.setObject(3, userId);
            st.setObject(4, sessionId);
            st.executeUpdate();
        }
    }

    private String child(String parent) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(rotationKey);
            return B64.encodeToString(mac.doFinal(parent.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
