package dev.parley.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.http.Json;
import io.undertow.server.HttpServerExchange;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * POST /token?grant_type=password and ?grant_type=refresh_token, with GoTrue's answers. Errors
 * are GoTrue's current HTTP errors (400 invalid_credentials "Invalid login credentials", 400
 * refresh_token_not_found, 400 refresh_token_already_used), not the OAuth
 * {@code {error, error_description}} shape older GoTrue versions used here.
 */
final class TokenEndpoint {
    static final String INVALID_LOGIN = "Invalid login credentials";
    private final AuthContext auth;

    TokenEndpoint(AuthContext auth) {
        this.auth = auth;
    }

    void handle(HttpServerExchange exchange) throws SQLException {
        String grant = AuthRequest.query(exchange, "grant_type");
        if ("password".equals(grant)) {
            password(exchange);
        } else if ("refresh_token".equals(grant)) {
            refresh(exchange);
        } else {
            throw AuthError.badRequest("invalid_credentials", "unsupported_grant_type");
        }
    }

    private void password(HttpServerExchange exchange) throws SQLException {
        ObjectNode body = AuthRequest.body(exchange);
        String email = AuthRequest.text(body, "email");
        String phone = AuthRequest.text(body, "phone");
        String password = AuthRequest.text(body, "password");
        boolean hasEmail = email != null && !email.isEmpty();
        boolean hasPhone = phone != null && !phone.isEmpty();
        if (hasEmail && hasPhone) {
            throw AuthError.validation("Only an email address or phone number should be provided on login.");
        }
        if (hasPhone) throw AuthError.unprocessable("phone_provider_disabled", "Phone logins are disabled");
        if (!hasEmail) throw AuthError.validation("missing email or phone");
        String normalized = email.trim().toLowerCase(java.util.Locale.ROOT);
        String address = ClientAddress.of(exchange, auth.settings().trustProxy());
        auth.rateLimiter().attempt(normalized, address);

        Optional<User> found = auth.read(c -> Users.byEmail(c, normalized));
        // Always one bcrypt run, found or not: the timing tells nothing about the email.
        boolean matches = auth.passwords().verify(password == null ? "" : password,
                found.map(User::encryptedPassword).orElse(null));
        if (!matches || found.get().deletedAt() != null) throw AuthError.badRequest("invalid_credentials", INVALID_LOGIN);
        User user = found.get();
        // Ban and confirmation are told only to someone who knows the password.
        if (user.isBannedAt(Instant.now())) throw AuthError.badRequest("user_banned", "User is banned");
        if (auth.settings().confirmEmail() && !user.isEmailConfirmed()) {
            throw AuthError.badRequest("email_not_confirmed", "Email not confirmed");
        }
        Map<String, Object> response = auth.inTransaction(c -> signIn(auth, c, user, exchange));
        weakPasswordNotice(password, response);
        Json.send(exchange, 200, response);
    }

    /** A new session for {@code user}: its first refresh token, last_sign_in_at, the token response. */
    static Map<String, Object> signIn(AuthContext auth, java.sql.Connection c, User user, HttpServerExchange exchange)
            throws SQLException {
        Sessions.Session session = Sessions.create(c, user.id(), AuthRequest.userAgent(exchange),
                ClientAddress.of(exchange, auth.settings().trustProxy()));
        String refresh = auth.refreshTokens().issueFirst(c, session.id(), user.id());
        User signedIn = Users.touchSignIn(c, user.id());
        return auth.accessTokens().response(signedIn, session, refresh);
    }

    /** As GoTrue: a correct password that no longer meets the rules signs in, with a weak_password notice. */
    private void weakPasswordNotice(String password, Map<String, Object> response) {
        try {
            auth.passwords().checkStrength(password);
        } catch (AuthError weak) {
            if ("weak_password".equals(weak.errorCode())) {
                response.put("weak_password", Map.of("message", weak.getMessage(), "reasons", java.util.List.of("length")));
            }
        }
    }

    private void refresh(HttpServerExchange exchange) throws SQLException {
        ObjectNode body = AuthRequest.body(exchange);
        String token = AuthRequest.text(body, "refresh_token");
        if (token == null || token.length() < 12) throw AuthError.validation("Refresh token is not valid");
        Map<String, Object> response = auth.inTransaction(c -> {
            RefreshTokens.Rotation r = auth.refreshTokens().rotate(c, token);
            User user = Users.byId(c, r.userId(), false).orElseThrow(RefreshTokens::notFound);
            if (user.isBannedAt(Instant.now())) {
                throw AuthError.badRequest("user_banned", "Invalid Refresh Token: User Banned");
            }
            // Checked after the rotation only because the rotation finds the session; the
            // refusal rolls the rotation back, so the presented token stays as it was.
            switch (Sessions.expiry(c, r.sessionId(), auth.settings().sessionTimeboxSeconds(),
                    auth.settings().sessionInactivitySeconds())) {
                case TIMEBOX -> throw AuthError.badRequest("session_expired", "Invalid Refresh Token: Session Expired");
                case INACTIVITY -> throw AuthError.badRequest("session_expired",
                        "Invalid Refresh Token: Session Expired (Inactivity)");
                case NONE -> { }
            }
            Sessions.touch(c, r.sessionId(), AuthRequest.userAgent(exchange),
                    ClientAddress.of(exchange, auth.settings().trustProxy()));
            Sessions.Session session = Sessions.find(c, r.sessionId(), false).orElseThrow(RefreshTokens::notFound);
            return auth.accessTokens().response(user, session, r.token());
        });
        Json.send(exchange, 200, response);
    }
}
