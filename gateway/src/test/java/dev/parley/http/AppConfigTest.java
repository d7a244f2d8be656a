package dev.parley.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.auth.Caller;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /config.json: the chat app's bootstrap, the anon key of this gateway, never cached. */
@Timeout(60)
class AppConfigTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();

    @Test
    void answersTheAnonKeyOfThisGatewayWithNoStore() throws Exception {
        var res = gw.get("/config.json", null);
        assertEquals(200, res.statusCode());
        assertEquals("no-store", res.headers().firstValue("Cache-Control").orElse(""));
        assertTrue(res.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = Json.MAPPER.readTree(res.body());
        assertEquals(1, body.size(), "only the anon key: " + res.body());
        String key = body.get("anonKey").asText();
        assertEquals(gw.anonKey(), key);
        Caller caller = gw.gateway().context().jwt().verify(key);
        assertEquals("anon", caller.role());
    }

    @Test
    void neverHandsOutTheServiceRoleKey() {
        var res = gw.get("/config.json", null);
        assertTrue(!res.body().contains(gw.serviceKey()));
    }

    @Test
    void writesAreRefusedWithAClearError() throws Exception {
        var res = gw.send(gw.request("/config.json").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertEquals(405, res.statusCode());
        assertEquals("GET, HEAD", res.headers().firstValue("Allow").orElse(""));
        assertEquals("PGRST117", Json.MAPPER.readTree(res.body()).get("code").asText());
    }

    @Test
    void theAppStillOwnsEveryOtherPathUnderRoot() {
        var res = gw.get("/config.json.bak", null);
        assertTrue(res.statusCode() == 404, "exact path only, got " + res.statusCode());
    }
}
