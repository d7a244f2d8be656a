package dev.parley.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.parley.auth.AuthClient.assertError;
import static dev.parley.auth.AuthClient.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refresh-token rotation, reuse detection and its grace period, and logout scopes. Two gateways:
 * one with the default 10 s reuse interval, one with none (every reuse revokes).
 */
@Timeout(90)
class AuthSessionsTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    @RegisterExtension
    static final TestGateway strict = TestGateway.start(Map.of("PARLEY_AUTH_REFRESH_REUSE_INTERVAL", "0"));
    static final AuthClient auth = new AuthClient(gw);
    static final AuthClient strictAuth = new AuthClient(strict);

    @Test
    void refreshRotatesTheTokenAndIssuesANewAccessToken() {
        JsonNode s = auth.signUp("rot@example.com", "secret-pw");
        JsonNode r1 = ok(auth.refresh(s.path("refresh_token").asText()));
        assertNotEquals(s.path("refresh_token").asText(), r1.path("refresh_token").asText());
        assertEquals(s.path("user").path("id"), r1.path("user").path("id"));
        Caller before = gw.gateway().context().jwt().verify(s.path("access_token").asText());
        Caller after = gw.gateway().context().jwt().verify(r1.path("access_token").asText());
        assertEquals(before.claims().get("session_id"), after.claims().get("session_id"), "same session");
        JsonNode r2 = ok(auth.refresh(r1.path("refresh_token").asText()));
        ok(auth.get("/user", r2.path("access_token").asText()));
        // Tokens are stored only as their SHA-256 hash.
        gw.sql("do $$ begin if not exists (select from auth.refresh_tokens where token_hash = extensions.digest('"
                + r2.path("refresh_token").asText() + "', 'sha256') and not revoked) then raise exception 'not stored hashed'; end if;"
                + " if exists (select from auth.refresh_tokens where encode(token_hash, 'escape') = '"
                + r2.path("refresh_token").asText() + "') then raise exception 'stored in clear'; end if; end $$");
    }

    @Test
    void anUnknownOrMalformedRefreshTokenIsRefused() {
        assertError(auth.refresh("this-token-was-never-issued-by-anyone"), 400, "refresh_token_not_found",
                "Invalid Refresh Token: Refresh Token Not Found");
        assertError(auth.refresh("short"), 400, "validation_failed", "Refresh token is not valid");
    }

    @Test
    void reusingARotatedTokenWithinTheIntervalReturnsTheSameChild() throws Exception {
        JsonNode s = auth.signUp("tabs@example.com", "secret-pw");
        String t0 = s.path("refresh_token").asText();
        JsonNode first = ok(auth.refresh(t0));
        JsonNode again = ok(auth.refresh(t0));
        assertEquals(first.path("refresh_token").asText(), again.path("refresh_token").asText());
        ok(auth.refresh(again.path("refresh_token").asText()));

        // Concurrent refreshes of one token (several tabs waking up) all get the same child.
        JsonNode fresh = ok(auth.signIn("tabs@example.com", "secret-pw"));
        String t = fresh.path("refresh_token").asText();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<HttpResponse<String>>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) results.add(pool.submit(() -> auth.refresh(t)));
            Set<String> children = new HashSet<>();
            for (var f : results) children.add(ok(f.get(30, TimeUnit.SECONDS)).path("refresh_token").asText());
            assertEquals(1, children.size(), "every concurrent refresh got the same child token");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reusingARotatedTokenAfterTheIntervalRevokesTheWholeSession() {
        JsonNode s = strictAuth.signUp("stolen@example.com", "secret-pw");
        String t0 = s.path("refresh_token").asText();
        JsonNode r1 = ok(strictAuth.refresh(t0));
        assertError(strictAuth.refresh(t0), 400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
        // The session is gone: its newest token and its access tokens no longer work with /auth/v1.
        assertError(strictAuth.refresh(r1.path("refresh_token").asText()), 400, "refresh_token_not_found", null);
        assertError(strictAuth.get("/user", r1.path("access_token").asText()), 403, "session_not_found", null);
        // Other sessions of the same user are untouched; signing in again works.
        ok(strictAuth.signIn("stolen@example.com", "secret-pw"));
    }

    @Test
    void reuseAfterTheChildWasRotatedRevokesEvenWithinTheInterval() {
        JsonNode s = auth.signUp("chain@example.com", "secret-pw");
        String t0 = s.path("refresh_token").asText();
        JsonNode r1 = ok(auth.refresh(t0));
        JsonNode r2 = ok(auth.refresh(r1.path("refresh_token").asText()));
        assertError(auth.refresh(t0), 400, "refresh_token_already_used", null);
        assertError(auth.refresh(r2.path("refresh_token").asText()), 400, "refresh_token_not_found", null);
    }

    @Test
    void logoutLocalEndsOnlyThisSession() {
        auth.signUp("local@example.com", "secret-pw");
        JsonNode a = ok(auth.signIn("local@example.com", "secret-pw"));
        JsonNode b = ok(auth.signIn("local@example.com", "secret-pw"));
        assertEquals(204, auth.post("/logout?scope=local", null, a.path("access_token").asText()).statusCode());
        assertError(auth.refresh(a.path("refresh_token").asText()), 400, "refresh_token_not_found", null);
        assertError(auth.get("/user", a.path("access_token").asText()), 403, "session_not_found", null);
        ok(auth.refresh(b.path("refresh_token").asText()));
    }

    @Test
    void logoutOthersKeepsThisSession() {
        auth.signUp("others@example.com", "secret-pw");
        JsonNode a = ok(auth.signIn("others@example.com", "secret-pw"));
        JsonNode b = ok(auth.signIn("others@example.com", "secret-pw"));
        assertEquals(204, auth.post("/logout?scope=others", null, a.path("access_token").asText()).statusCode());
        ok(auth.refresh(a.path("refresh_token").asText()));
        assertError(auth.refresh(b.path("refresh_token").asText()), 400, "refresh_token_not_found", null);
    }

    @Test
    void logoutGlobalEndsEverySession() {
        auth.signUp("global@example.com", "secret-pw");
        JsonNode a = ok(auth.signIn("global@example.com", "secret-pw"));
        JsonNode b = ok(auth.signIn("global@example.com", "secret-pw"));
        assertEquals(204, auth.post("/logout", null, a.path("access_token").asText()).statusCode());
        assertError(auth.refresh(a.path("refresh_token").asText()), 400, "refresh_token_not_found", null);
        assertError(auth.refresh(b.path("refresh_token").asText()), 400, "refresh_token_not_found", null);
        // Access tokens are stateless JWTs: they still verify until exp (REST/realtime accept them),
        // but /auth/v1 checks the session and refuses them.
        assertTrue(gw.gateway().context().jwt().verify(b.path("access_token").asText()).sub().length() > 0);
        assertError(auth.get("/user", b.path("access_token").asText()), 403, "session_not_found", null);
    }

    @Test
    void logoutRefusesUnknownScopesAndMissingTokens() {
        JsonNode s = auth.signUp("scope@example.com", "secret-pw");
        assertError(auth.post("/logout?scope=everything", null, s.path("access_token").asText()),
                400, "validation_failed", "Unsupported logout scope \"everything\"");
        assertError(auth.post("/logout", null, null), 401, "no_authorization", null);
    }
}
