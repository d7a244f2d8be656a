package dev.parley.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.parley.auth.AuthClient.assertError;
import static dev.parley.auth.AuthClient.obj;
import static dev.parley.auth.AuthClient.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PARLEY_AUTH_CONFIRM_EMAIL=true: sign-up gives no session, sign-in waits for an administrator's confirmation. */
@Timeout(60)
class AuthConfirmEmailTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start(java.util.Map.of("PARLEY_AUTH_CONFIRM_EMAIL", "true"));
    static final AuthClient auth = new AuthClient(gw);

    @Test
    void signUpWaitsForConfirmationByTheAdminApi() {
        JsonNode user = auth.signUp("pending@example.com", "secret-pw");
        assertFalse(user.has("access_token"), "no session before confirmation");
        assertFalse(user.has("email_confirmed_at"));
        assertEquals("pending@example.com", user.path("email").asText());
        assertError(auth.signIn("pending@example.com", "secret-pw"), 400, "email_not_confirmed", "Email not confirmed");
        assertFalse(ok(auth.get("/settings", null)).path("mailer_autoconfirm").asBoolean());

        ok(auth.send("PUT", "/admin/users/" + user.path("id").asText(), obj("email_confirm", true), gw.serviceKey()));
        JsonNode s = ok(auth.signIn("pending@example.com", "secret-pw"));
        assertTrue(s.path("user").hasNonNull("email_confirmed_at"));
    }

    @Test
    void aRepeatedSignUpOfAConfirmedEmailRevealsNothing() {
        JsonNode user = auth.signUp("known@example.com", "secret-pw");
        ok(auth.send("PUT", "/admin/users/" + user.path("id").asText(), obj("email_confirm", true), gw.serviceKey()));
        JsonNode again = auth.signUp("known@example.com", "another-pw");
        assertNotEquals(user.path("id").asText(), again.path("id").asText(), "a look-alike, not the account");
        assertFalse(again.has("access_token"));
        assertError(auth.signIn("known@example.com", "another-pw"), 400, "invalid_credentials", null);
    }
}
