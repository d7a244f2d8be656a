package dev.parley.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.http.Json;
import dev.parley.testing.TestGateway;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Speaks to /auth/v1 of a test gateway over HTTP as supabase-js does (apikey, bearer, API version header). */
final class AuthClient {
    final TestGateway gw;

    AuthClient(TestGateway gw) {
        this.gw = gw;
    }

    HttpResponse<String> send(String method, String path, String json, String bearer, String... headers) {
        HttpRequest.Builder b = gw.request("/auth/v1" + path)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .header("apikey", gw.anonKey());
        if (json != null) b.header("Content-Type", "application/json;charset=UTF-8");
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return gw.send(b.build());
    }

    HttpResponse<String> post(String path, String json, String bearer, String... headers) {
        return send("POST", path, json, bearer, headers);
    }

    HttpResponse<String> get(String path, String bearer, String... headers) {
        return send("GET", path, null, bearer, headers);
    }

    /** Sign-up with an email and password; returns the 200 body (a session when confirmation is off). */
    JsonNode signUp(String email, String password) {
        return ok(post("/signup", obj("email", email, "password", password), gw.anonKey()));
    }

    HttpResponse<String> signIn(String email, String password) {
        return post("/token?grant_type=password", obj("email", email, "password", password), gw.anonKey());
    }

    HttpResponse<String> refresh(String refreshToken) {
        return post("/token?grant_type=refresh_token", obj("refresh_token", refreshToken), gw.anonKey());
    }

    static JsonNode ok(HttpResponse<String> res) {
        assertEquals(200, res.statusCode(), () -> "expected 200, got " + res.statusCode() + ": " + res.body());
        return json(res);
    }

    static JsonNode json(HttpResponse<String> res) {
        try {
            return Json.MAPPER.readTree(res.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + res.body(), e);
        }
    }

    /** A JSON object from alternating names and values (strings, booleans, numbers, nodes). */
    static String obj(Object... kv) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        for (int i = 0; i + 1 < kv.length; i += 2) o.set((String) kv[i], Json.MAPPER.valueToTree(kv[i + 1]));
        return o.toString();
    }

    /** Asserts GoTrue's legacy error body {code: status, error_code, msg} (no API version header sent). */
    static void assertError(HttpResponse<String> res, int status, String errorCode, String msg) {
        assertEquals(status, res.statusCode(), res::body);
        JsonNode body = json(res);
        assertEquals(status, body.path("code").asInt(), res::body);
        assertEquals(errorCode, body.path("error_code").asText(), res::body);
        if (msg != null) assertEquals(msg, body.path("msg").asText(), res::body);
        assertEquals(errorCode, res.headers().firstValue("x-sb-error-code").orElse(null));
    }
}
