package dev.parley.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static dev.parley.auth.AuthClient.assertError;
import static dev.parley.auth.AuthClient.obj;
import static dev.parley.auth.AuthClient.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two gateways on one database, as behind a load balancer: accounts, sessions, refresh-token
 * rotation, reuse detection, logout, bans and rate limits live in Postgres, so whichever node a
 * request reaches answers the same.
 */
@Timeout(90)
class AuthTwoGatewaysTest {
    // Strict reuse (no grace) so a replay is detected whichever node sees it.
    static final Map<String, String> ENV = Map.of("PARLEY_AUTH_REFRESH_REUSE_INTERVAL", "0",
            "PARLEY_AUTH_RATE_LIMIT_EMAIL", "3", "PARLEY_AUTH_RATE_LIMIT_WINDOW", "60");
    // Registered in this order, closed in the reverse one: b before a.
    @RegisterExtension
    static final TestGateway a = TestGateway.start(ENV);
    @RegisterExtension
    static final TestGateway b = TestGateway.startOn(a.database(), ENV);
    static final AuthClient onA = new AuthClient(a);
    static final AuthClient onB = new AuthClient(b);

    @Test
    void anAccountMadeOnOneNodeSignsInAndReadsItselfOnTheOther() {
        JsonNode made = onA.signUp("both@example.com", "secret-pw");
        JsonNode session = ok(onB.signIn("BOTH@example.com", "secret-pw"));
        assertEquals(made.path("user").path("id"), session.path("user").path("id"));
        // a token issued by one node is accepted by the other (same secret)
        assertEquals("both@example.com", ok(onA.get("/user", session.path("access_token").asText())).path("email").asText());
        assertEquals("both@example.com", ok(onB.get("/user", made.path("access_token").asText())).path("email").asText());
        assertError(onB.post("/signup", obj("email", "Both@Example.com", "password", "secret-pw"), b.anonKey()),
                422, "user_already_exists", "User already registered");
    }

    @Test
    void refreshRotatesAcrossNodesAndAReplayOnEitherNodeEndsTheSession() {
        JsonNode s0 = onA.signUp("rotate@example.com", "secret-pw");
        JsonNode s1 = ok(onB.refresh(s0.path("refresh_token").asText()));
        JsonNode s2 = ok(onA.refresh(s1.path("refresh_token").asText()));
        JsonNode s3 = ok(onB.refresh(s2.path("refresh_token").asText()));
        assertEquals("rotate@example.com", ok(onA.get("/user", s3.path("access_token").asText())).path("email").asText());

        // s1's token was rotated on node A; replaying it on node B is reuse: the session ends everywhere
        assertError(onB.refresh(s1.path("refresh_token").asText()), 400, "refresh_token_already_used",
                "Invalid Refresh Token: Already Used");
        assertError(onA.refresh(s3.path("refresh_token").asText()), 400, "refresh_token_not_found", null);
        assertError(onA.get("/user", s3.path("access_token").asText()), 403, "session_not_found", null);
        assertError(onB.get("/user", s3.path("access_token").asText()), 403, "session_not_found", null);
    }

    @Test
    void logoutOnOneNodeEndsTheSessionOnTheOther() {
        onA.signUp("leave@example.com", "secret-pw");
        JsonNode s = ok(onB.signIn("leave@example.com", "secret-pw"));
        assertEquals(204, onA.post("/logout?scope=local", null, s.path("access_token").asText()).statusCode());
        assertError(onB.get("/user", s.path("access_token").asText()), 403, "session_not_found", null);
        assertError(onB.refresh(s.path("refresh_token").asText()), 400, "refresh_token_not_found", null);
    }

    @Test
    void aBanMadeOnOneNodeHoldsOnTheOther() {
        JsonNode s = onA.signUp("banned-both@example.com", "secret-pw");
        String id = s.path("user").path("id").asText();
        ok(onA.send("PUT", "/admin/users/" + id, obj("ban_duration", "1h"), a.serviceKey()));
        assertError(onB.signIn("banned-both@example.com", "secret-pw"), 400, "user_banned", null);
        assertError(onB.refresh(s.path("refresh_token").asText()), 400, "user_banned", null);
    }

    @Test
    void theSignInBudgetIsSharedByBothNodes() {
        onA.signUp("budget@example.com", "secret-pw");
        assertError(onA.signIn("budget@example.com", "wrong-pw"), 400, "invalid_credentials", null);
        assertError(onB.signIn("budget@example.com", "wrong-pw"), 400, "invalid_credentials", null);
        assertError(onA.signIn("budget@example.com", "wrong-pw"), 400, "invalid_credentials", null);
        // the fourth attempt, on either node, is past the per-email limit of 3
        AuthRateLimitTest.assertLimited(onB.signIn("budget@example.com", "secret-pw"));
        AuthRateLimitTest.assertLimited(onA.signIn("budget@example.com", "secret-pw"));
    }
}
