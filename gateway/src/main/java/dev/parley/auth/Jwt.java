package dev.parley.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.parley.http.ApiError;
import dev.parley.http.Json;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;

import javax.crypto.SecretKey;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies and issues HS256 tokens. The algorithm is pinned: a token signed any other way
 * (including "none") is refused. Verified tokens are cached until they expire, bounded by
 * {@link #CACHE_LIMIT} entries (cleared wholesale when full: cheap, and a miss only costs one
 * HMAC), so a busy client does not pay the parse on every request.
 */
public final class Jwt {
    static final int CACHE_LIMIT = 10_000;

    private final SecretKey key;
    private final JwtParser parser;
    private final Clock clock;
    private final Map<String, Caller> verified = new ConcurrentHashMap<>();

    public Jwt(String secret, Clock clock) {
        this.key = Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8));
        this.clock = clock;
        this.parser = Jwts.parser()
                .verifyWith(key)
                .sig().add(Jwts.SIG.HS256).and()
                .clock(() -> Date.from(clock.instant()))
                .build();
    }

    /**
     * The caller a token speaks for. Throws a 401 {@link ApiError} for a malformed, wrongly
     * signed or expired token: such a request never falls back to anon.
     */
    public Caller verify(String token) {
        long now = clock.instant().getEpochSecond();
        Caller cached = verified.get(token);
        if (cached != null) {
            if (!cached.expiredAt(now)) return cached;
            verified.remove(token);
            throw ApiError.jwtExpired();
        }
        Claims claims;
        try {
            claims = parser.parseSignedClaims(token).getPayload();
        } catch (ExpiredJwtException e) {
            throw ApiError.jwtExpired();
        } catch (JwtException | IllegalArgumentException e) {
            throw ApiError.jwtInvalid(e.getMessage());
        }
        Caller caller = toCaller(claims);
        if (verified.size() >= CACHE_LIMIT) verified.clear();
        verified.put(token, caller);
        return caller;
    }

    private static Caller toCaller(Claims claims) {
        Map<String, Object> map = new LinkedHashMap<>(claims);
        // jjwt turns exp/iat/nbf into Dates; claims handed to SQL keep the numeric form.
        for (String k : new String[] {"exp", "iat", "nbf"}) {
            Object v = map.get(k);
            if (v instanceof Date d) map.put(k, d.getTime() / 1000);
        }
        // jjwt reads "aud" as a set; a single audience goes back to the string it was signed as.
        if (map.get("aud") instanceof java.util.Collection<?> aud) {
            map.put("aud", aud.size() == 1 ? aud.iterator().next() : java.util.List.copyOf(aud));
        }
        Object roleClaim = map.get("role");
        String role = roleClaim instanceof String s && !s.isBlank() ? s : Caller.ANON;
        String sub = claims.getSubject() == null ? "" : claims.getSubject();
        long exp = claims.getExpiration() == null ? 0 : claims.getExpiration().getTime() / 1000;
        try {
            return new Caller(role, Json.MAPPER.writeValueAsString(map), sub, exp, Map.copyOf(withoutNulls(map)));
        } catch (JsonProcessingException e) {
            throw ApiError.jwtInvalid("claims are not serializable");
        }
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (v != null) out.put(k, v);
        });
        return out;
    }

    /** Signs {@code claims} (plus iat, and exp when {@code lifetimeSeconds} > 0). */
    public String sign(Map<String, ?> claims, long lifetimeSeconds) {
        long now = clock.instant().getEpochSecond();
        var builder = Jwts.builder().claims(claims).issuedAt(new Date(now * 1000));
        if (lifetimeSeconds > 0) builder.expiration(new Date((now + lifetimeSeconds) * 1000));
        return builder.signWith(key, Jwts.SIG.HS256).compact();
    }

    /**
     * An API key: a token with only {@code role} and {@code iss}, no iat or exp, so the same secret
     * always yields the same key and keys stay valid across restarts.
     */
    public String apiKey(String role) {
        // Claims in a fixed order: the same secret must print the same key on every start.
        return Jwts.builder().claim("iss", "parley").claim("role", role).signWith(key, Jwts.SIG.HS256).compact();
    }
}
