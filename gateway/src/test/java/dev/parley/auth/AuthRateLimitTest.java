package dev.parley.auth;

import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.Map;

import static dev.parley.auth.AuthClient.assertError;
import static dev.parley.auth.AuthClient.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sign-in attempts are limited per email and per client address; a refusal is a 429 with
 * Retry-After. X-Forwarded-For counts only when PARLEY_TRUST_PROXY is on.
 */
@Timeout(60)
class AuthRateLimitTest {
    static final Map<String, String> LIMITS = Map.of("PARLEY_AUTH_RATE_LIMIT_EMAIL", "3",
            "PARLEY_AUTH_RATE_LIMIT_ADDRESS", "6", "PARLEY_AUTH_RATE_LIMIT_WINDOW", "120");
    @RegisterExtension
    static final TestGateway direct = TestGateway.start(LIMITS);
    @RegisterExtension
    static final TestGateway proxied = TestGateway.start(withProxy());

    static Map<String, String> withProxy() {
        var env = new java.util.HashMap<>(LIMITS);
        env.put("PARLEY_TRUST_PROXY", "true");
        return env;
    }

    static HttpResponse<String> attempt(AuthClient auth, String email, String forwardedFor) {
        String body = obj("email", email, "password", "wrong-password");
        return forwardedFor == null
                ? auth.post("/token?grant_type=password", body, null)
                : auth.post("/token?grant_type=password", body, null, "X-Forwarded-For", forwardedFor);
    }

    static void assertLimited(HttpResponse<String> res) {
        assertError(res, 429, "over_request_rate_limit", "Request rate limit reached");
        long retryAfter = Long.parseLong(res.headers().firstValue("Retry-After").orElse("0"));
        assertTrue(retryAfter >= 1 && retryAfter <= 120, "Retry-After " + retryAfter);
    }

    @Test
    void perEmailAndPerAddressBudgets() {
        AuthClient auth = new AuthClient(direct);
        auth.signUp("target@example.com", "right-password");
        for (int i = 0; i < 3; i++) assertEquals(400, attempt(auth, "Target@example.com", null).statusCode());
        assertLimited(attempt(auth, "target@example.com", null));
        // Even the right password waits: the count is taken before the password is checked.
        assertLimited(auth.signIn("target@example.com", "right-password"));
        // Five attempts used from this address; the sixth is the last within its budget of six.
        assertEquals(400, attempt(auth, "other1@example.com", null).statusCode());
        assertLimited(attempt(auth, "other2@example.com", null));
        // A spoofed X-Forwarded-For does not buy a new budget when the proxy is not trusted.
        assertLimited(attempt(auth, "other3@example.com", "203.0.113.9"));
    }

    @Test
    void behindATrustedProxyTheForwardedAddressIsTheKey() {
        AuthClient auth = new AuthClient(proxied);
        for (int i = 0; i < 6; i++) {
            assertEquals(400, attempt(auth, "p" + i + "@example.com", "198.51.100.7").statusCode());
        }
        assertLimited(attempt(auth, "p9@example.com", "198.51.100.7"));
        // The last entry is the one the proxy appended; a client-sent first entry changes nothing.
        assertLimited(attempt(auth, "p10@example.com", "10.9.9.9, 198.51.100.7"));
        assertEquals(400, attempt(auth, "p11@example.com", "198.51.100.8").statusCode());
    }
}
