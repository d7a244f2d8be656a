package dev.parley.http;

import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Browser apps on any origin: preflights pass whatever headers supabase-js sends, and every
 * response, success or refusal, lets scripts read the headers the clients parse.
 */
@Timeout(60)
class CorsTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start(Map.of("PARLEY_AUTH_RATE_LIMIT_EMAIL", "1"));

    static Set<String> exposed(HttpResponse<String> res) {
        String v = res.headers().firstValue("Access-Control-Expose-Headers").orElse("");
        return Arrays.stream(v.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    @Test
    void aPreflightAllowsTheMethodsAndHeadersSupabaseJsSends() {
        String asked = "authorization, apikey, content-type, x-client-info, x-supabase-api-version, x-upsert, cache-control";
        for (String path : List.of("/auth/v1/token?grant_type=password", "/storage/v1/object/b/x.png", "/rest/v1/t")) {
            var res = gw.send(gw.request(path).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://app.example").header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", asked).build());
            assertEquals(204, res.statusCode(), path);
            assertEquals("*", res.headers().firstValue("Access-Control-Allow-Origin").orElse(null), path);
            assertEquals(asked, res.headers().firstValue("Access-Control-Allow-Headers").orElse(null), path);
            String methods = res.headers().firstValue("Access-Control-Allow-Methods").orElse("");
            for (String m : List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")) assertTrue(methods.contains(m), path + " " + m);
        }
    }

    @Test
    void theHeadersTheClientsReadAreExposedOnEveryResponse() {
        Set<String> needed = Set.of("content-range", "link", "x-total-count", "x-supabase-api-version", "retry-after",
                "etag", "content-disposition", "accept-ranges", "x-sb-error-code");
        // a success (auth-js's listUsers reads Link and X-Total-Count) ...
        var list = gw.send(gw.request("/auth/v1/admin/users?per_page=1").header("Origin", "https://app.example")
                .header("Authorization", "Bearer " + gw.serviceKey()).header("apikey", gw.serviceKey()).build());
        assertEquals(200, list.statusCode(), list.body());
        assertTrue(list.headers().firstValue("Link").isPresent());
        assertTrue(exposed(list).containsAll(needed), exposed(list)::toString);
        // ... a refusal auth-js parses by its API version header ...
        var refused = gw.send(gw.request("/auth/v1/user").header("Origin", "https://app.example")
                .header("X-Supabase-Api-Version", "2024-01-01").header("apikey", gw.anonKey()).build());
        assertEquals(401, refused.statusCode());
        assertTrue(refused.headers().firstValue("X-Supabase-Api-Version").isPresent());
        assertTrue(exposed(refused).containsAll(needed));
        // ... and a 429 whose Retry-After a script must be able to read
        String body = "{\"email\":\"cors@example.com\",\"password\":\"whatever\"}";
        HttpResponse<String> limited = null;
        for (int i = 0; i < 2; i++) {
            limited = gw.send(gw.request("/auth/v1/token?grant_type=password").header("Origin", "https://app.example")
                    .header("apikey", gw.anonKey()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        }
        assertEquals(429, limited.statusCode());
        assertTrue(limited.headers().firstValue("Retry-After").isPresent());
        assertTrue(exposed(limited).containsAll(needed));
        // a storage 404 (rendered by storage's own error path) too
        var missing = gw.send(gw.request("/storage/v1/object/nope/x.txt").header("Origin", "https://app.example")
                .header("Authorization", "Bearer " + gw.serviceKey()).build());
        assertEquals(400, missing.statusCode() / 100 * 100);
        assertTrue(exposed(missing).containsAll(needed));
    }
}
