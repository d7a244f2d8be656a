package dev.parley.auth;

import dev.parley.http.ApiError;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JwtTest {
    static final String SECRET = "a-test-secret-that-is-long-enough-0123456789";
    final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    final Jwt jwt = new Jwt(SECRET, clock);

    @Test
    void aSignedTokenNamesItsRoleSubjectAndExpiry() {
        String token = jwt.sign(Map.of("sub", "u1", "role", "authenticated"), 60);
        Caller c = jwt.verify(token);
        assertEquals("authenticated", c.role());
        assertEquals("u1", c.sub());
        assertEquals(clock.instant().getEpochSecond() + 60, c.expiresAt());
    }

    @Test
    void aTokenWithoutRoleActsAsAnon() {
        assertEquals("anon", jwt.verify(jwt.sign(Map.of("sub", "u1"), 60)).role());
    }

    @Test
    void expiredTokensAreRefusedEvenWhenCached() {
        String token = jwt.sign(Map.of("role", "authenticated"), 60);
        jwt.verify(token);
        Jwt later = new Jwt(SECRET, Clock.offset(clock, java.time.Duration.ofSeconds(61)));
        ApiError e = assertThrows(ApiError.class, () -> later.verify(token));
        assertEquals(401, e.status());
        assertEquals("PGRST303", e.code());
    }

    @Test
    void wrongSignatureOtherAlgorithmsAndUnsignedTokensAreRefused() {
        String otherKey = Jwts.builder().claim("role", "service_role")
                .signWith(Keys.hmacShaKeyFor("another-secret-that-is-long-enough-0123456789".getBytes(StandardCharsets.UTF_8)))
                .compact();
        String hs512 = Jwts.builder().claim("role", "service_role")
                .signWith(Keys.hmacShaKeyFor((SECRET + SECRET).getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS512)
                .compact();
        String none = base64("{\"alg\":\"none\"}") + "." + base64("{\"role\":\"service_role\"}") + ".";
        for (String bad : new String[] {otherKey, hs512, none, "garbage", "a.b.c"}) {
            ApiError e = assertThrows(ApiError.class, () -> jwt.verify(bad), bad);
            assertEquals(401, e.status());
            assertEquals("PGRST301", e.code());
        }
    }

    @Test
    void apiKeysAreStable() {
        assertEquals(jwt.apiKey("anon"), new Jwt(SECRET, Clock.systemUTC()).apiKey("anon"));
        assertEquals("anon", jwt.verify(jwt.apiKey("anon")).role());
    }

    private static String base64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unused")
    private static Date at(long epochSeconds) {
        return new Date(epochSeconds * 1000);
    }
}
