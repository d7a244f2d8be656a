package dev.parley.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.http.Json;
import dev.parley.testing.TestGateway;
import dev.parley.testing.TestPostgres;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Calls to /rest/v1 of a test gateway, as a PostgREST client would make them, and their checks. */
final class RestCalls {
    private final TestGateway gw;

    RestCalls(TestGateway gw) {
        this.gw = gw;
    }

    /** Waits until the schema cache has picked up {@code table} (DDL reloads it asynchronously). */
    void awaitTable(String table) {
        awaitStatus("/" + table + "?limit=0", s -> s != 404, "table " + table + " never appeared in the schema cache");
    }

    /** Waits until the schema cache has picked up the function a call ({@code name?args}) names. */
    void awaitFunction(String call) {
        awaitStatus("/rpc/" + call, s -> s != 404, "function never appeared: " + call);
    }

    /** Waits until a GET of {@code path} as the service role answers a status {@code accept} likes. */
    HttpResponse<String> awaitStatus(String path, java.util.function.IntPredicate accept, String failure) {
        return await(() -> get(path, gw.serviceKey()), r -> accept.test(r.statusCode()), failure);
    }

    /**
     * Asks again until {@code done} likes the answer, for at most 10 s: DDL reaches the schema
     * cache asynchronously (a NOTIFY, then a reload).
     */
    static HttpResponse<String> await(java.util.function.Supplier<HttpResponse<String>> ask,
                                      java.util.function.Predicate<HttpResponse<String>> done, String failure) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        HttpResponse<String> r;
        do {
            r = ask.get();
            if (done.test(r)) return r;
            sleep();
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError(failure + "; last answer " + r.statusCode() + " " + r.body());
    }

    HttpResponse<String> get(String path, String token, String... headers) {
        return send("GET", path, token, null, headers);
    }

    /** As the service role, which bypasses RLS. */
    HttpResponse<String> get(String path) {
        return get(path, gw.serviceKey());
    }

    HttpResponse<String> send(String method, String path, String token, String body, String... headers) {
        HttpRequest.Builder b = gw.request("/rest/v1" + escape(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) typed |= headers[i].equalsIgnoreCase("Content-Type");
        if (body != null && !typed) b.header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return gw.send(b.build());
    }

    /** A write as the service role. */
    HttpResponse<String> write(String method, String path, String body, String... headers) {
        return send(method, path, gw.serviceKey(), body, headers);
    }

    /** The body of a 2xx JSON answer. */
    static JsonNode ok(HttpResponse<String> r) {
        if (r.statusCode() / 100 != 2) throw new AssertionError("expected success, got " + r.statusCode() + " " + r.body());
        return json(r);
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    /** Asserts a PostgREST error: status, code and message; returns the body for more checks. */
    static JsonNode error(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), () -> "status of " + r.body());
        JsonNode body = json(r);
        assertEquals(code, body.path("code").asText(), () -> "code of " + r.body());
        for (String key : new String[]{"code", "message", "details", "hint"}) {
            if (!body.has(key)) throw new AssertionError("error body without " + key + ": " + r.body());
        }
        return body;
    }

    static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    /** Compact JSON text, for comparing a whole body at once. */
    static String compact(HttpResponse<String> r) {
        return json(r).toString();
    }

    /** One value of a query run as the superuser (to check the data behind the API). */
    String scalar(String query) {
        try (Connection c = TestPostgres.connect(gw.database()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            if (!rs.next()) return null;
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Percent-encodes what a URI may not hold as is ({@code > { } " |} blanks...), as browsers do. */
    static String escape(String path) {
        StringBuilder b = new StringBuilder();
        for (byte x : path.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if (c < 128 && (Character.isLetterOrDigit(c) || "-._~!$'()*,;:@/?=&+%".indexOf(c) >= 0)) b.append(c);
            else b.append('%').append(String.format("%02X", x & 0xff));
        }
        return b.toString();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void sleep() {
        try {
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
