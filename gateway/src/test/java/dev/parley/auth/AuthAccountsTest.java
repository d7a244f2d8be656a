package dev.parley.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import static dev.parley.auth.AuthClient.assertError;
import static dev.parley.auth.AuthClient.json;
import static dev.parley.auth.AuthClient.obj;
import static dev.parley.auth.AuthClient.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sign-up, sign-in, the user endpoints and GoTrue's refusals, over real HTTP. */
@Timeout(60)
class AuthAccountsTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final AuthClient auth = new AuthClient(gw);

    @Test
    void signUpReturnsAGoTrueSessionWithTheUserAndItsMetadata() {
        long before = Instant.now().getEpochSecond();
        JsonNode s = ok(auth.post("/signup", obj("email", "  Ada@Example.COM ", "password", "correct horse",
                "data", Map.of("username", "ada")), gw.anonKey()));
        assertEquals("bearer", s.path("token_type").asText());
        assertEquals(3600, s.path("expires_in").asLong());
        assertTrue(s.path("expires_at").asLong() >= before + 3600);
        assertTrue(s.path("refresh_token").asText().length() >= 40);
        JsonNode user = s.path("user");
        assertEquals("ada@example.com", user.path("email").asText(), "emails are trimmed and lower-cased");
        assertEquals("authenticated", user.path("aud").asText());
        assertEquals("authenticated", user.path("role").asText());
        assertEquals("ada", user.path("user_metadata").path("username").asText());
        assertEquals("email", user.path("app_metadata").path("provider").asText());
        assertEquals("email", user.path("app_metadata").path("providers").path(0).asText());
        assertTrue(user.hasNonNull("email_confirmed_at"));
        assertTrue(user.hasNonNull("confirmed_at"));
        assertTrue(user.hasNonNull("last_sign_in_at"));
        assertEquals("", user.path("phone").asText());
        assertEquals("email", user.path("identities").path(0).path("provider").asText());
        assertFalse(user.path("is_anonymous").asBoolean());

        Caller caller = gw.gateway().context().jwt().verify(s.path("access_token").asText());
        assertEquals("authenticated", caller.role());
        assertEquals(user.path("id").asText(), caller.sub());
        assertEquals("authenticated", caller.claims().get("aud"));
        assertEquals("ada@example.com", caller.claims().get("email"));
        assertEquals(s.path("expires_at").asLong(), caller.expiresAt());
        assertEquals("aal1", caller.claims().get("aal"));
        assertTrue(caller.claims().get("session_id") instanceof String sid && !sid.isEmpty());
        assertEquals("ada", ((Map<?, ?>) caller.claims().get("user_metadata")).get("username"));
        assertEquals("password", ((Map<?, ?>) ((java.util.List<?>) caller.claims().get("amr")).get(0)).get("method"));
    }

    @Test
    void signInWorksWithAnyCaseAndTheTokenReadsTheUser() {
        JsonNode signedUp = auth.signUp("grace@example.com", "hopper-1906");
        JsonNode s = ok(auth.signIn("GRACE@example.com", "hopper-1906"));
        assertEquals(signedUp.path("user").path("id"), s.path("user").path("id"));
        assertNotEquals(signedUp.path("refresh_token"), s.path("refresh_token"), "each sign-in is its own session");
        JsonNode me = ok(auth.get("/user", s.path("access_token").asText()));
        assertEquals("grace@example.com", me.path("email").asText());
    }

    @Test
    void wrongPasswordAndUnknownEmailGetTheSameRefusal() {
        auth.signUp("linus@example.com", "penguins!");
        var wrong = auth.signIn("linus@example.com", "pelicans!");
        var unknown = auth.signIn("nobody@example.com", "penguins!");
        assertError(wrong, 400, "invalid_credentials", "Invalid login credentials");
        assertError(unknown, 400, "invalid_credentials", "Invalid login credentials");
        assertEquals(wrong.body(), unknown.body());
        // A user made without a password (e.g. by SQL) cannot sign in with any password.
        gw.createUser("nopass@example.com");
        assertError(auth.signIn("nopass@example.com", ""), 400, "invalid_credentials", null);
    }

    @Test
    void currentApiVersionGetsCodeAndMessage() {
        var res = auth.post("/token?grant_type=password", obj("email", "x@example.com", "password", "whatever"),
                gw.anonKey(), "X-Supabase-Api-Version", "2024-01-01");
        assertEquals(400, res.statusCode());
        assertEquals("2024-01-01", res.headers().firstValue("X-Supabase-Api-Version").orElse(null));
        JsonNode body = json(res);
        assertEquals("invalid_credentials", body.path("code").asText());
        assertEquals("Invalid login credentials", body.path("message").asText());
        assertFalse(body.has("msg"));
    }

    @Test
    void duplicateSignUpIsRefusedWhateverTheCase() {
        auth.signUp("dup@example.com", "secret-pw");
        assertError(auth.post("/signup", obj("email", "DUP@Example.com", "password", "other-pw"), gw.anonKey()),
                422, "user_already_exists", "User already registered");
    }

    @Test
    void passwordsAreCheckedForLength() {
        var shortPw = auth.post("/signup", obj("email", "short@example.com", "password", "12345"), gw.anonKey());
        assertError(shortPw, 422, "weak_password", "Password should be at least 6 characters.");
        assertEquals("length", json(shortPw).path("weak_password").path("reasons").path(0).asText());
        assertError(auth.post("/signup", obj("email", "long@example.com", "password", "x".repeat(73)), gw.anonKey()),
                400, "validation_failed", "Password cannot be longer than 72 characters");
        assertError(auth.post("/signup", obj("email", "none@example.com"), gw.anonKey()),
                400, "validation_failed", "Signup requires a valid password");
    }

    @Test
    void malformedRequestsAreClearRefusals() {
        assertError(auth.post("/signup", obj("email", "not-an-email", "password", "secret-pw"), gw.anonKey()),
                400, "validation_failed", "Unable to validate email address: invalid format");
        assertError(auth.post("/signup", "{\"email\":", gw.anonKey()), 400, "bad_json", null);
        assertError(auth.post("/signup", obj("email", 42, "password", "secret-pw"), gw.anonKey()), 400, "bad_json", null);
        assertError(auth.post("/signup", obj("password", "secret-pw"), gw.anonKey()), 422, "anonymous_provider_disabled", null);
        assertError(auth.post("/signup", obj("phone", "+15555550100", "password", "secret-pw"), gw.anonKey()),
                400, "phone_provider_disabled", null);
        assertError(auth.post("/token?grant_type=magic", "{}", gw.anonKey()), 400, "invalid_credentials", "unsupported_grant_type");
        assertError(auth.post("/token?grant_type=password", "{}", gw.anonKey()), 400, "validation_failed", "missing email or phone");
        assertEquals(404, auth.get("/nowhere", null).statusCode());
        assertEquals(405, auth.send("DELETE", "/signup", null, null).statusCode());
    }

    @Test
    void userEndpointsNeedAValidBearerToken() {
        assertError(auth.get("/user", null), 401, "no_authorization", "This endpoint requires a valid Bearer token");
        assertError(auth.get("/user", gw.anonKey()), 403, "bad_jwt", "invalid claim: missing sub claim");
        assertError(auth.get("/user", "not.a.jwt"), 403, "bad_jwt", null);
        assertError(auth.get("/user", gw.userToken(UUID.randomUUID())), 403, "user_not_found", null);
    }

    @Test
    void anExpiredAccessTokenIsRefused() {
        JsonNode s = auth.signUp("expired@example.com", "secret-pw");
        String userId = s.path("user").path("id").asText();
        Jwt past = new Jwt(TestGateway.SECRET, Clock.fixed(Instant.now().minusSeconds(7200), ZoneOffset.UTC));
        String expired = past.sign(Map.of("sub", userId, "role", "authenticated", "aud", "authenticated"), 3600);
        assertError(auth.get("/user", expired), 403, "bad_jwt",
                "invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired");
    }

    @Test
    void updateUserMergesDataChangesEmailAndPassword() {
        JsonNode s = auth.signUp("mallory@example.com", "first-password");
        String token = s.path("access_token").asText();
        JsonNode other = ok(auth.signIn("mallory@example.com", "first-password"));
        ok(auth.send("PUT", "/user", obj("data", Map.of("theme", "dark")), token));
        JsonNode updated = ok(auth.send("PUT", "/user", "{\"data\":{\"bio\":\"hi\",\"theme\":null}}", token));
        assertEquals("hi", updated.path("user_metadata").path("bio").asText());
        assertFalse(updated.path("user_metadata").has("theme"), "a null value removes the key");
        assertTrue(updated.path("user_metadata").path("email_verified").asBoolean());

        assertError(auth.send("PUT", "/user", obj("password", "first-password"), token), 422, "same_password", null);
        assertError(auth.send("PUT", "/user", obj("password", "abc"), token), 422, "weak_password", null);
        assertError(auth.send("PUT", "/user", obj("app_metadata", Map.of("admin", true)), token), 403, "not_admin", null);
        auth.signUp("taken@example.com", "secret-pw");
        assertError(auth.send("PUT", "/user", obj("email", "Taken@example.com"), token), 422, "email_exists", null);

        ok(auth.send("PUT", "/user", obj("password", "second-password", "email", "m2@example.com"), token));
        assertError(auth.signIn("mallory@example.com", "first-password"), 400, "invalid_credentials", null);
        ok(auth.signIn("m2@example.com", "second-password"));
        ok(auth.get("/user", token));
        // The password change ended the user's other sessions, not this one.
        assertError(auth.refresh(other.path("refresh_token").asText()), 400, "refresh_token_not_found", null);
        assertError(auth.get("/user", other.path("access_token").asText()), 403, "session_not_found", null);
    }

    @Test
    void settingsDescribeTheServer() {
        JsonNode settings = ok(auth.get("/settings", null));
        assertTrue(settings.path("external").path("email").asBoolean());
        assertFalse(settings.path("external").path("phone").asBoolean());
        assertTrue(settings.path("mailer_autoconfirm").asBoolean());
        assertFalse(settings.path("disable_signup").asBoolean());
    }
}
