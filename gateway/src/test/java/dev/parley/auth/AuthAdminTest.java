package dev.parley.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.parley.auth.AuthClient.assertError;
import static dev.parley.auth.AuthClient.obj;
import static dev.parley.auth.AuthClient.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin user API (service_role only), bans, and sign-up with email confirmation required. */
@Timeout(90)
class AuthAdminTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final AuthClient auth = new AuthClient(gw);

    String service() {
        return gw.serviceKey();
    }

    @Test
    void onlyServiceRoleMayUseTheAdminApi() {
        JsonNode user = auth.signUp("plain@example.com", "secret-pw");
        for (String token : new String[] {gw.anonKey(), user.path("access_token").asText()}) {
            assertError(auth.get("/admin/users", token), 403, "not_admin", "User not allowed");
            assertError(auth.post("/admin/users", obj("email", "x@example.com"), token), 403, "not_admin", null);
            assertError(auth.send("DELETE", "/admin/users/" + user.path("user").path("id").asText(), null, token),
                    403, "not_admin", null);
        }
        assertError(auth.get("/admin/users", null), 401, "no_authorization", null);
        assertEquals(200, auth.get("/user", user.path("access_token").asText()).statusCode(), "the user was not deleted");
    }

    @Test
    void createGetUpdateAndDeleteAUser() {
        JsonNode created = ok(auth.post("/admin/users", obj("email", "Admin.Made@Example.com", "password", "made-by-admin",
                "email_confirm", true, "user_metadata", Map.of("name", "Made"), "app_metadata", Map.of("plan", "pro")),
                service()));
        String id = created.path("id").asText();
        assertEquals("admin.made@example.com", created.path("email").asText());
        assertTrue(created.hasNonNull("email_confirmed_at"));
        assertEquals("Made", created.path("user_metadata").path("name").asText());
        assertEquals("pro", created.path("app_metadata").path("plan").asText());
        assertEquals("email", created.path("app_metadata").path("provider").asText());

        JsonNode session = ok(auth.signIn("admin.made@example.com", "made-by-admin"));
        assertEquals("pro", ((Map<?, ?>) gw.gateway().context().jwt().verify(session.path("access_token").asText())
                .claims().get("app_metadata")).get("plan"), "app_metadata reaches the token");

        assertEquals(id, ok(auth.get("/admin/users/" + id, service())).path("id").asText());
        JsonNode updated = ok(auth.send("PUT", "/admin/users/" + id, obj("user_metadata", Map.of("name", "Renamed"),
                "app_metadata", Map.of("plan", "free"), "password", "new-admin-password"), service()));
        assertEquals("Renamed", updated.path("user_metadata").path("name").asText());
        assertEquals("free", updated.path("app_metadata").path("plan").asText());
        assertError(auth.refresh(session.path("refresh_token").asText()), 400, "refresh_token_not_found", null);
        ok(auth.signIn("admin.made@example.com", "new-admin-password"));

        assertError(auth.post("/admin/users", obj("email", "ADMIN.made@example.com"), service()), 422, "email_exists", null);
        assertEquals("{}", auth.send("DELETE", "/admin/users/" + id, null, service()).body());
        assertError(auth.get("/admin/users/" + id, service()), 404, "user_not_found", "User not found");
        assertError(auth.signIn("admin.made@example.com", "new-admin-password"), 400, "invalid_credentials", null);
        assertError(auth.get("/admin/users/not-a-uuid", service()), 404, "validation_failed", "user_id must be an UUID");
        assertError(auth.send("PUT", "/admin/users/" + UUID.randomUUID(), "{}", service()), 404, "user_not_found", null);
    }

    @Test
    void createRefusals() {
        assertError(auth.post("/admin/users", obj("user_metadata", Map.of()), service()), 400, "validation_failed",
                "Cannot create a user without either an email or phone");
        assertError(auth.post("/admin/users", obj("email", "bad-id@example.com", "id", "123"), service()), 400,
                "validation_failed", "ID must conform to the uuid v4 format");
        assertError(auth.post("/admin/users", obj("email", "ban@example.com", "ban_duration", "forever"), service()), 400,
                "validation_failed", null);
    }

    @Test
    void aBannedUserCannotSignInRefreshOrUseTheUserEndpoint() {
        JsonNode s = auth.signUp("banned@example.com", "secret-pw");
        String id = s.path("user").path("id").asText();
        JsonNode banned = ok(auth.send("PUT", "/admin/users/" + id, obj("ban_duration", "24h"), service()));
        assertTrue(banned.hasNonNull("banned_until"));
        assertError(auth.signIn("banned@example.com", "secret-pw"), 400, "user_banned", "User is banned");
        assertError(auth.refresh(s.path("refresh_token").asText()), 400, "user_banned", "Invalid Refresh Token: User Banned");
        assertError(auth.get("/user", s.path("access_token").asText()), 403, "user_banned", null);
        // A wrong password says only that the credentials are wrong.
        assertError(auth.signIn("banned@example.com", "wrong-pw"), 400, "invalid_credentials", null);
        JsonNode lifted = ok(auth.send("PUT", "/admin/users/" + id, obj("ban_duration", "none"), service()));
        assertFalse(lifted.has("banned_until"));
        ok(auth.signIn("banned@example.com", "secret-pw"));
        ok(auth.refresh(s.path("refresh_token").asText()));
    }

    @Test
    void listPagesNewestFirstWithGoTruePagingHeaders() {
        for (int i = 0; i < 5; i++) {
            ok(auth.post("/admin/users", obj("email", "page" + i + "@list.example.com"), service()));
        }
        var res = auth.get("/admin/users?page=1&per_page=2&filter=list.example", service());
        JsonNode body = ok(res);
        assertEquals("authenticated", body.path("aud").asText());
        assertEquals(2, body.path("users").size());
        assertEquals("page4@list.example.com", body.path("users").path(0).path("email").asText());
        assertEquals("5", res.headers().firstValue("X-Total-Count").orElse(null));
        String link = res.headers().firstValue("Link").orElse("");
        assertTrue(link.contains("page=2&per_page=2>; rel=\"next\""), link);
        assertTrue(link.contains("page=3&per_page=2>; rel=\"last\""), link);

        Set<String> seen = new HashSet<>();
        for (int page = 1; page <= 3; page++) {
            for (JsonNode u : ok(auth.get("/admin/users?filter=list.example&page=" + page + "&per_page=2", service())).path("users")) {
                seen.add(u.path("email").asText());
            }
        }
        assertEquals(5, seen.size(), "pages do not overlap and cover everyone");
        // supabase-js sends empty page parameters when none are given.
        ok(auth.get("/admin/users?page=&per_page=", service()));
        assertError(auth.get("/admin/users?page=abc", service()), 400, "validation_failed", null);
    }

    @Test
    void softDeleteKeepsTheRowButEndsSignIn() {
        JsonNode s = auth.signUp("soft@example.com", "secret-pw");
        String id = s.path("user").path("id").asText();
        ok(auth.send("DELETE", "/admin/users/" + id, obj("should_soft_delete", true), service()));
        JsonNode row = ok(auth.get("/admin/users/" + id, service()));
        assertTrue(row.hasNonNull("deleted_at"));
        assertError(auth.signIn("soft@example.com", "secret-pw"), 400, "invalid_credentials", null);
        assertError(auth.refresh(s.path("refresh_token").asText()), 400, "refresh_token_not_found", null);
    }
}
