package dev.parley.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.config.Config;
import dev.parley.config.ConfigException;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static dev.parley.auth.AuthClient.assertError;
import static dev.parley.auth.AuthClient.obj;
import static dev.parley.auth.AuthClient.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The auth settings take effect: token lifetime and issuer, password length, bcrypt cost, closed sign-up. */
@Timeout(60)
class AuthSettingsTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start(Map.of("PARLEY_JWT_EXPIRY", "120", "PARLEY_AUTH_ISSUER", "https://auth.example/v1",
            "PARLEY_AUTH_PASSWORD_MIN_LENGTH", "10", "PARLEY_AUTH_BCRYPT_COST", "5", "PARLEY_AUTH_DISABLE_SIGNUP", "true"));
    static final AuthClient auth = new AuthClient(gw);

    @Test
    void signUpIsClosedButTheAdminApiStillCreatesUsers() {
        assertError(auth.post("/signup", obj("email", "closed@example.com", "password", "long-enough-pw"), gw.anonKey()),
                422, "signup_disabled", "Signups not allowed for this instance");
        assertTrue(ok(auth.get("/settings", null)).path("disable_signup").asBoolean());
        ok(auth.post("/admin/users", obj("email", "made@example.com", "password", "long-enough-pw", "email_confirm", true),
                gw.serviceKey()));
        ok(auth.signIn("made@example.com", "long-enough-pw"));
    }

    @Test
    void tokensCarryTheConfiguredLifetimeAndIssuer() {
        ok(auth.post("/admin/users", obj("email", "life@example.com", "password", "long-enough-pw", "email_confirm", true),
                gw.serviceKey()));
        JsonNode s = ok(auth.signIn("life@example.com", "long-enough-pw"));
        assertEquals(120, s.path("expires_in").asLong());
        Map<String, Object> claims = gw.gateway().context().jwt().verify(s.path("access_token").asText()).claims();
        assertEquals(120L, ((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue());
        assertEquals(s.path("expires_at").asLong(), ((Number) claims.get("exp")).longValue());
        assertEquals("https://auth.example/v1", claims.get("iss"));
        JsonNode next = ok(auth.refresh(s.path("refresh_token").asText()));
        assertEquals(120, next.path("expires_in").asLong());
    }

    @Test
    void passwordsFollowTheConfiguredLengthAndAreHashedAtTheConfiguredCost() {
        ok(auth.post("/admin/users", obj("email", "pw@example.com", "password", "long-enough-pw", "email_confirm", true),
                gw.serviceKey()));
        JsonNode s = ok(auth.signIn("pw@example.com", "long-enough-pw"));
        assertFalse(s.has("weak_password"));
        var tooShort = auth.send("PUT", "/user", obj("password", "nine-char"), s.path("access_token").asText());
        assertError(tooShort, 422, "weak_password", "Password should be at least 10 characters.");
        ok(auth.send("PUT", "/user", obj("password", "ten-chars!"), s.path("access_token").asText()));
        String hash = scalar("select encrypted_password from auth.users where email = 'pw@example.com'");
        assertTrue(hash.startsWith("$2a$05$"), hash);
        assertEquals(60, hash.length());
        ok(auth.signIn("pw@example.com", "ten-chars!"));
    }

    @Test
    void aBadSettingIsRefusedNamingTheVariable() {
        // Read as the gateway's start reads them (AuthApi.create), without starting one per case.
        for (var bad : Map.of("PARLEY_AUTH_BCRYPT_COST", "3", "PARLEY_AUTH_PASSWORD_MIN_LENGTH", "100",
                "PARLEY_AUTH_RATE_LIMIT_WINDOW", "0", "PARLEY_AUTH_SESSION_TIMEBOX", "-1",
                "PARLEY_AUTH_CONFIRM_EMAIL", "maybe", "PARLEY_TRUST_PROXY", "2").entrySet()) {
            Config config = Config.from(Map.of(bad.getKey(), bad.getValue()));
            ConfigException e = assertThrows(ConfigException.class, () -> AuthSettings.from(config));
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
        AuthSettings defaults = AuthSettings.from(Config.from(Map.of()));
        assertEquals(10, defaults.bcryptCost());
        assertEquals(6, defaults.passwordMinLength());
        assertFalse(defaults.confirmEmail());
        assertEquals(3600, defaults.accessTokenLifetimeSeconds());
        assertEquals(10, defaults.refreshReuseIntervalSeconds());
        assertEquals(0, defaults.sessionTimeboxSeconds());
    }

    private static String scalar(String sql) {
        try (var c = dev.parley.testing.TestPostgres.connect(gw.database()); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
