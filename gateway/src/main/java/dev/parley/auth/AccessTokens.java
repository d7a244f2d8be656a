package dev.parley.auth;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Access tokens and GoTrue's token response. Claims are GoTrue's: iss, sub, aud, exp, iat,
 * email, phone, app_metadata, user_metadata, role, aal, amr, session_id, is_anonymous. They are
 * what {@code request.jwt.claims} holds in SQL, so RLS policies can use any of them.
 */
final class AccessTokens {
    private final Jwt jwt;
    private final Clock clock;
    private final AuthSettings settings;

    AccessTokens(Jwt jwt, Clock clock, AuthSettings settings) {
        this.jwt = jwt;
        this.clock = clock;
        this.settings = settings;
    }

    /** {@code {access_token, token_type, expires_in, expires_at, refresh_token, user}}. */
    Map<String, Object> response(User user, Sessions.Session session, String refreshToken) {
        long now = clock.instant().getEpochSecond();
        long lifetime = settings.accessTokenLifetimeSeconds();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", settings.issuer());
        claims.put("sub", user.id().toString());
        claims.put("aud", user.aud());
        // exp is set here, not by Jwt.sign, so expires_at in the body is exactly the claim.
        claims.put("exp", now + lifetime);
        claims.put("email", user.email() == null ? "" : user.email());
        claims.put("phone", user.phone() == null ? "" : user.phone());
        claims.put("app_metadata", user.appMetadata());
        claims.put("user_metadata", user.userMetadata());
        claims.put("role", user.role());
        claims.put("aal", session.aal());
        claims.put("amr", List.of(Map.of("method", session.amrMethod(), "timestamp", session.createdAt().getEpochSecond())));
        claims.put("session_id", session.id().toString());
        claims.put("is_anonymous", user.isAnonymous());
        String token = jwt.sign(claims, 0);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", token);
        body.put("token_type", "bearer");
        body.put("expires_in", lifetime);
        body.put("expires_at", now + lifetime);
        body.put("refresh_token", refreshToken);
        body.put("user", UserJson.of(user));
        return body;
    }
}
