package dev.parley.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static dev.parley.auth.AuthClient.assertError;
import static dev.parley.auth.AuthClient.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Expired refresh tokens: with GoTrue's session limits set, a session past its timebox (time
 * since sign-in) or idle past the inactivity timeout (time since its last refresh) refuses its
 * refresh token (400 session_expired) and its access tokens at /auth/v1 (403 session_expired).
 * Session ages are moved back in the database instead of waiting.
 */
@Timeout(60)
class AuthSessionExpiryTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start(Map.of("PARLEY_AUTH_SESSION_TIMEBOX", "86400", "PARLEY_AUTH_SESSION_INACTIVITY_TIMEOUT", "3600"));
    static final AuthClient auth = new AuthClient(gw);

    static String sessionOf(JsonNode session) {
        return gw.gateway().context().jwt().verify(session.path("access_token").asText()).claims().get("session_id").toString();
    }

    @Test
    void aSessionWithinBothLimitsRefreshes() {
        JsonNode s = auth.signUp("fresh@example.com", "secret-pw");
        gw.sql("update auth.sessions set created_at = now() - interval '23 hours', refreshed_at = now() - interval '59 minutes'"
                + " where id = '" + sessionOf(s) + "'");
        JsonNode next = ok(auth.refresh(s.path("refresh_token").asText()));
        ok(auth.get("/user", next.path("access_token").asText()));
    }

    @Test
    void aSessionPastItsTimeboxRefusesItsRefreshTokenAndLeavesItUnrotated() {
        JsonNode s = auth.signUp("timebox@example.com", "secret-pw");
        JsonNode next = ok(auth.refresh(s.path("refresh_token").asText()));
        gw.sql("update auth.sessions set created_at = now() - interval '25 hours' where id = '" + sessionOf(s) + "'");
        String before = scalarRows();
        assertError(auth.refresh(next.path("refresh_token").asText()), 400, "session_expired", "Invalid Refresh Token: Session Expired");
        assertEquals(before, scalarRows(), "the refused refresh rotated nothing");
        assertError(auth.get("/user", next.path("access_token").asText()), 403, "session_expired", "Session is no longer valid");
        // signing in again starts a new session, which works
        JsonNode again = ok(auth.signIn("timebox@example.com", "secret-pw"));
        ok(auth.refresh(again.path("refresh_token").asText()));
    }

    @Test
    void anIdleSessionRefusesItsRefreshTokenButRefreshingKeepsItAlive() {
        JsonNode s = auth.signUp("idle@example.com", "secret-pw");
        JsonNode next = ok(auth.refresh(s.path("refresh_token").asText()));
        gw.sql("update auth.sessions set refreshed_at = now() - interval '61 minutes' where id = '" + sessionOf(s) + "'");
        assertError(auth.refresh(next.path("refresh_token").asText()), 400, "session_expired",
                "Invalid Refresh Token: Session Expired (Inactivity)");
        assertError(auth.get("/user", next.path("access_token").asText()), 403, "session_expired", null);

        // never refreshed: idle time counts from sign-in
        JsonNode t = auth.signUp("idle-new@example.com", "secret-pw");
        gw.sql("update auth.sessions set created_at = now() - interval '2 hours' where id = '" + sessionOf(t) + "'");
        assertError(auth.refresh(t.path("refresh_token").asText()), 400, "session_expired", null);
    }

    private static String scalarRows() {
        try (var c = dev.parley.testing.TestPostgres.connect(gw.database()); var st = c.createStatement();
             var rs = st.executeQuery("select string_agg(encode(token_hash, 'hex') || revoked, ',' order by id) from auth.refresh_tokens")) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
