package dev.parley;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.http.Json;
import dev.parley.testing.OwnPostgres;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What clients see while the database cannot serve them, on a Postgres of this class's own that
 * the tests stop and start ({@link OwnPostgres}). Getting no connection is never a 500 or a 403:
 * it is 503 PGRST000 with Retry-After (504 PGRST003 when the database is fine but every pooled
 * connection is busy), in REST's, auth's and storage's shapes (and realtime's broadcast API);
 * /health says so within 2 s.
 */
@Timeout(120)
class DatabaseOutageTest {
    private static OwnPostgres pg;
    private static TestGateway gw;

    @BeforeAll
    static void start() {
        pg = OwnPostgres.start("outage");
        // short waits keep the test short; the defaults are 10 s and 5 s
        gw = TestGateway.startOn(pg.url(), Map.of("PARLEY_DB_POOL_ACQUISITION_TIMEOUT", "2", "PARLEY_DB_CONNECT_TIMEOUT", "2"));
        gw.sql("create table notes (id int primary key, body text)");
        gw.sql("grant select, insert on notes to anon, authenticated, service_role");
        gw.sql("insert into notes values (1, 'kept')");
        gw.sql("create function slow() returns int language sql as 'select 1 from pg_sleep(4)'");
        gw.sql("grant execute on function slow() to anon");
        gw.sql("create table login_gate (closed boolean not null)");
        gw.sql("insert into login_gate values (false)");
        // refuses the request pool's logins with 42501 while the gate is closed: the SQLSTATE a
        // pool timeout carried, and turned into a 403, before one rule decided "no connection"
        gw.sql("create function refuse_authenticator() returns event_trigger language plpgsql security definer "
                + "set search_path = '' as $$ begin "
                + "if session_user = 'authenticator' and (select closed from public.login_gate) then "
                + "raise exception 'the test refuses authenticator' using errcode = 'insufficient_privilege'; "
                + "end if; end $$");
        gw.sql("create event trigger refuse_authenticator on login execute function refuse_authenticator()");
    }

    @AfterAll
    static void stop() throws IOException {
        if (gw != null) gw.close();
        if (pg != null) pg.close();
    }

    private static HttpResponse<String> rest(String path) {
        return gw.send(gw.request("/rest/v1" + path).header("apikey", gw.anonKey()).GET().build());
    }

    private static HttpResponse<String> signIn() {
        return gw.send(gw.request("/auth/v1/token?grant_type=password").header("apikey", gw.anonKey())
                .header("Content-Type", "application/json").header("X-Supabase-Api-Version", "2024-01-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"ada@example.com\",\"password\":\"correct horse\"}"))
                .build());
    }

    private static HttpResponse<String> buckets() {
        return gw.send(gw.request("/storage/v1/bucket").header("Authorization", "Bearer " + gw.serviceKey()).GET().build());
    }

    private static HttpResponse<String> broadcast() {
        return gw.send(gw.request("/realtime/v1/api/broadcast").header("apikey", gw.serviceKey())
                .header("Authorization", "Bearer " + gw.serviceKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"messages\":[{\"topic\":\"room-1\",\"event\":\"e\",\"payload\":{}}]}")).build());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }

    private static void assertUnavailable(HttpResponse<String> r, String what) {
        assertEquals(503, r.statusCode(), what + ": " + r.body());
        assertEquals("1", r.headers().firstValue("Retry-After").orElse(null), what + " says when to retry");
    }

    @Test
    void whilePostgresIsDownEveryApiAnswers503AndHealthSaysSoQuicklyThenAllRecover() throws Exception {
        HttpResponse<String> signup = gw.send(gw.request("/auth/v1/signup").header("apikey", gw.anonKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"ada@example.com\",\"password\":\"correct horse\"}"))
                .build());
        assertEquals(200, signup.statusCode(), signup.body());
        assertEquals(200, gw.get("/health", null).statusCode());

        pg.stop();
        try {
            for (int poll = 0; poll < 3; poll++) {
                long start = System.nanoTime();
                HttpResponse<String> health = gw.get("/health", null);
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(tookMs < 2_000, "/health took " + tookMs + " ms");
                assertEquals(503, health.statusCode(), health.body());
                JsonNode h = json(health);
                assertEquals("unavailable", h.path("status").asText(), h.toString());
                assertEquals("down", h.path("database").asText(), h.toString());
                assertEquals("reconnecting", h.path("listener").asText(), h.toString());
                assertTrue(!h.path("message").asText().isEmpty(), "says why: " + h);
            }

            HttpResponse<String> read = rest("/notes?select=body");
            assertUnavailable(read, "REST");
            JsonNode body = json(read);
            assertEquals("PGRST000", body.path("code").asText(), body.toString());
            assertEquals("Database connection error.", body.path("message").asText(), body.toString());
            assertTrue(body.path("details").asText().contains("refused"), "what the driver said: " + body);
            assertTrue(body.has("hint") && body.get("hint").isNull(), body.toString());

            HttpResponse<String> auth = signIn();
            assertUnavailable(auth, "auth");
            assertEquals("unexpected_failure", json(auth).path("code").asText(), auth.body());
            assertEquals("Database connection error.", json(auth).path("message").asText(), auth.body());

            HttpResponse<String> storage = buckets();
            assertUnavailable(storage, "storage");
            assertEquals("503", json(storage).path("statusCode").asText(), storage.body());
            assertEquals("DatabaseError", json(storage).path("code").asText(), storage.body());
            assertTrue(json(storage).path("message").asText().startsWith("Database connection error."), storage.body());

            HttpResponse<String> sent = broadcast();
            assertUnavailable(sent, "realtime's broadcast API");
            assertEquals("PGRST000", json(sent).path("code").asText(), sent.body());
        } finally {
            pg.start();
        }

        long back = System.nanoTime();
        while (gw.get("/health", null).statusCode() != 200) {
            assertTrue(System.nanoTime() - back < TimeUnit.SECONDS.toNanos(20), "healthy again once Postgres is back");
            Thread.sleep(200);
        }
        HttpResponse<String> read = rest("/notes?select=body");
        assertEquals(200, read.statusCode(), read.body());
        assertEquals("[{\"body\":\"kept\"}]", read.body());
        HttpResponse<String> auth = signIn();
        assertEquals(200, auth.statusCode(), auth.body());
        assertEquals(200, buckets().statusCode());
        assertEquals(202, broadcast().statusCode());
    }

    @Test
    void aPoolThatCannotLogInIs503WhateverSqlstateTheRefusalCarried() throws InterruptedException {
        assertEquals(200, rest("/notes?select=id").statusCode());
        gw.sql("update login_gate set closed = true");
        try {
            // the pooled connections die; their replacements are refused with 42501
            gw.sql("select pg_terminate_backend(pid) from pg_stat_activity where usename = 'authenticator'");
            // past Hikari's 0.5 s window in which a recently used connection is lent unvalidated:
            // sooner, a request can meet two dead connections in a row (503 57P01, not this case)
            Thread.sleep(1_000);
            HttpResponse<String> r = rest("/notes?select=id");
            assertUnavailable(r, "REST with the login refused");
            assertTrue(r.body().contains("\"code\":\"PGRST000\""), r.body());
            assertTrue(r.body().contains("the test refuses authenticator"), "details say what refused: " + r.body());
        } finally {
            gw.sql("update login_gate set closed = false");
        }
        assertEquals(200, rest("/notes?select=id").statusCode());
    }

    @Test
    void everyPooledConnectionBusyIs504Pgrst003() throws Exception {
        // the test gateway's request pool has 6 connections; hold them all for 4 s
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            slow.add(gw.http().sendAsync(gw.request("/rest/v1/rpc/slow").header("apikey", gw.anonKey()).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(1_000);
        HttpResponse<String> r = rest("/notes?select=id");
        assertEquals(504, r.statusCode(), r.body());
        assertEquals("{\"code\":\"PGRST003\",\"details\":null,\"hint\":null,"
                + "\"message\":\"Timed out acquiring connection from connection pool.\"}", r.body());
        for (CompletableFuture<HttpResponse<String>> s : slow) assertEquals(200, s.get(20, TimeUnit.SECONDS).statusCode());
        assertEquals(200, rest("/notes?select=id").statusCode());
    }
}
