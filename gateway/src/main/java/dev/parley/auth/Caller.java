package dev.parley.auth;

import java.util.Map;

/**
 * Who a request or socket acts as: the database role its token names (anon without a token),
 * the verified claims (as JSON, exactly what {@code request.jwt.claims} holds), the subject and
 * the expiry (epoch seconds, 0 = none).
 */
public record Caller(String role, String claimsJson, String sub, long expiresAt, Map<String, Object> claims) {

    public static final String ANON = "anon";
    public static final String AUTHENTICATED = "authenticated";
    public static final String SERVICE_ROLE = "service_role";

    public static Caller anonymous() {
        return new Caller(ANON, "{\"role\":\"anon\"}", "", 0, Map.of("role", ANON));
    }

    public boolean isServiceRole() {
        return SERVICE_ROLE.equals(role);
    }

    public boolean isAnonymous() {
        return ANON.equals(role);
    }

    /** True once the token's exp has passed at {@code nowEpochSeconds}. */
    public boolean expiredAt(long nowEpochSeconds) {
        return expiresAt > 0 && nowEpochSeconds >= expiresAt;
    }
}
