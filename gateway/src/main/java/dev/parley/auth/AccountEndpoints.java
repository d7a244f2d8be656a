package dev.parley.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.http.Json;
import io.undertow.server.HttpServerExchange;

import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** POST /signup, GET and PUT /user, POST /logout, GET /settings. */
final class AccountEndpoints {
    static final String DUPLICATE_EMAIL = "A user with this email address has already been registered";
    private final AuthContext auth;

    AccountEndpoints(AuthContext auth) {
        this.auth = auth;
    }

    void signup(HttpServerExchange exchange) throws SQLException {
        ObjectNode body = AuthRequest.body(exchange);
        String email = AuthRequest.text(body, "email");
        String phone = AuthRequest.text(body, "phone");
        String password = AuthRequest.text(body, "password");
        ObjectNode data = AuthRequest.object(body, "data");
        boolean hasEmail = email != null && !email.isEmpty();
        boolean hasPhone = phone != null && !phone.isEmpty();
        if (!hasEmail && !hasPhone) {
            throw AuthError.unprocessable("anonymous_provider_disabled", "Anonymous sign-ins are disabled");
        }
        if (auth.settings().disableSignup()) {
            throw AuthError.unprocessable("signup_disabled", "Signups not allowed for this instance");
        }
        if (password == null || password.isEmpty()) throw AuthError.validation("Signup requires a valid password");
        auth.passwords().checkStrength(password);
        if (hasEmail && hasPhone) {
            throw AuthError.validation("Only an email address or phone number should be provided on signup.");
        }
        if (hasPhone) throw AuthError.badRequest("phone_provider_disabled", "Phone signups are disabled");
        String normalized = AuthRequest.normalizeEmail(email);
        boolean autoconfirm = !auth.settings().confirmEmail();
        ObjectNode metadata = data == null ? Json.MAPPER.createObjectNode() : data.deepCopy();

        Optional<User> existing = auth.read(c -> Users.byEmail(c, normalized));
        if (existing.isPresent()) {
            if (autoconfirm) throw alreadyRegistered();
            // With confirmation on, GoTrue answers as for a new sign-up, so the response does not
            // reveal that a confirmed account exists.
            User u = existing.get();
            Json.send(exchange, 200, u.isEmailConfirmed() ? lookalike(normalized, metadata) : UserJson.of(u));
            return;
        }
        // Hash outside the transaction: bcrypt is slow, and holds no connection meanwhile.
        String hash = auth.passwords().hash(password);
        if (autoconfirm) metadata.put("email_verified", true);
        Users.NewUser row = new Users.NewUser(UUID.randomUUID(), normalized, hash, autoconfirm, Caller.AUTHENTICATED,
                emailAppMetadata(), metadata, null);
        Object response;
        try {
            response = auth.inTransaction(c -> {
                User user = Users.insert(c, row);
                return autoconfirm ? TokenEndpoint.signIn(auth, c, user, exchange) : UserJson.of(user);
            });
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) throw alreadyRegistered();
            throw AuthApi.databaseError("Database error saving new user", e);
        }
        Json.send(exchange, 200, response);
    }

    private static AuthError alreadyRegistered() {
        return AuthError.unprocessable("user_already_exists", "User already registered");
    }

    static ObjectNode emailAppMetadata() {
        ObjectNode app = Json.MAPPER.createObjectNode();
        app.put("provider", "email");
        app.putArray("providers").add("email");
        return app;
    }

    /** GoTrue's sanitized user for a repeated sign-up: a fresh id, nothing of the real account. */
    private static Map<String, Object> lookalike(String email, ObjectNode metadata) {
        Instant now = Instant.now();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", UUID.randomUUID().toString());
        m.put("aud", "authenticated");
        m.put("role", "");
        m.put("email", email);
        m.put("phone", "");
        m.put("confirmation_sent_at", UserJson.time(now));
        m.put("app_metadata", emailAppMetadata());
        m.put("user_metadata", metadata);
        m.put("identities", List.of());
        m.put("created_at", UserJson.time(now));
        m.put("updated_at", UserJson.time(now));
        m.put("is_anonymous", false);
        return m;
    }

    void getUser(HttpServerExchange exchange) throws SQLException {
        Json.send(exchange, 200, UserJson.of(AuthApi.signedIn(auth, exchange).user()));
    }

    void updateUser(HttpServerExchange exchange) throws SQLException {
        AuthApi.SignedIn who = AuthApi.signedIn(auth, exchange);
        ObjectNode body = AuthRequest.body(exchange);
        String rawEmail = AuthRequest.text(body, "email");
        String password = AuthRequest.text(body, "password");
        ObjectNode data = AuthRequest.object(body, "data");
        ObjectNode appData = AuthRequest.object(body, "app_metadata");
        String email = rawEmail == null || rawEmail.isEmpty() ? null : AuthRequest.normalizeEmail(rawEmail);
        if (password != null) auth.passwords().checkStrength(password);
        if (appData != null) throw AuthError.forbidden("not_admin", "Updating app_metadata requires admin privileges");
        User current = who.user();
        String newHash = null;
        if (password != null && !password.isEmpty()) {
            if (current.encryptedPassword() != null && auth.passwords().verify(password, current.encryptedPassword())) {
                throw AuthError.unprocessable("same_password", "New password should be different from the old password.");
            }
            newHash = auth.passwords().hash(password);
        }
        String hash = newHash;
        String newEmail = email != null && !email.equals(current.email()) ? email : null;
        User updated;
        try {
            updated = auth.inTransaction(c -> {
                User locked = Users.byId(c, current.id(), true)
                        .orElseThrow(() -> AuthError.forbidden("user_not_found", "User from sub claim in JWT does not exist"));
                ObjectNode meta = data == null ? null : merge(locked.userMetadata(), data);
                User u = Users.update(c, locked.id(), new Users.Changes(newEmail, hash, null, null, null, meta, null, false));
                // A new password means the old one may be known to someone else: end every other session.
                if (hash != null) Sessions.deleteAllOf(c, u.id(), who.sessionId());
                return u;
            });
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) throw AuthError.unprocessable("email_exists", DUPLICATE_EMAIL);
            throw AuthApi.databaseError("Error updating user", e);
        }
        Json.send(exchange, 200, UserJson.of(updated));
    }

    /** GoTrue's metadata update: top-level keys replace, a null value removes the key. */
    static ObjectNode merge(ObjectNode current, ObjectNode updates) {
        ObjectNode out = current == null ? Json.MAPPER.createObjectNode() : current.deepCopy();
        updates.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v == null || v.isNull()) out.remove(e.getKey());
            else out.set(e.getKey(), v);
        });
        return out;
    }

    void logout(HttpServerExchange exchange) throws SQLException {
        String scope = AuthRequest.query(exchange, "scope");
        String s = scope == null || scope.isEmpty() ? "global" : scope;
        if (!s.equals("global") && !s.equals("local") && !s.equals("others")) {
            throw AuthError.validation("Unsupported logout scope \"" + scope + "\"");
        }
        AuthApi.SignedIn who = AuthApi.signedIn(auth, exchange);
        UUID session = who.sessionId();
        auth.inTransaction(c -> {
            if (session != null && s.equals("local")) Sessions.delete(c, session);
            else if (session != null && s.equals("others")) Sessions.deleteAllOf(c, who.user().id(), session);
            else Sessions.deleteAllOf(c, who.user().id(), null);
            return null;
        });
        exchange.setStatusCode(204);
        exchange.endExchange();
    }

    void settings(HttpServerExchange exchange) {
        Map<String, Object> external = new LinkedHashMap<>();
        for (String p : new String[] {"anonymous_users", "apple", "azure", "bitbucket", "discord", "facebook",
                "snapchat", "figma", "fly", "github", "gitlab", "google", "keycloak", "kakao", "linkedin",
                "linkedin_oidc", "notion", "spotify", "slack", "slack_oidc", "workos", "twitch", "twitter", "email",
                "phone", "zoom"}) {
            external.put(p, p.equals("email"));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("external", external);
        m.put("disable_signup", auth.settings().disableSignup());
        m.put("mailer_autoconfirm", !auth.settings().confirmEmail());
        m.put("phone_autoconfirm", false);
        m.put("sms_provider", "");
        m.put("saml_enabled", false);
        m.put("saml_private_key_next_configured", false);
        m.put("passkeys_enabled", false);
        Json.send(exchange, 200, m);
    }
}
