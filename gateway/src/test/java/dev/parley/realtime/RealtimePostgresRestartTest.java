package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.http.Json;
import dev.parley.testing.OwnPostgres;
import dev.parley.testing.TestGateway;
import dev.parley.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full Postgres restart under a running gateway, on a Postgres of this class's own
 * ({@link OwnPostgres}: the shared test server must not restart under the other classes).
 *
 * <p>The listener is held out after the restart by a login event trigger (Postgres 17) that
 * refuses connections named {@code parley-listener} while {@code listener_gate.closed} is set, and
 * counts each refused attempt in a sequence (sequences ignore the rollback of the refused login).
 * So rows are committed deterministically while Postgres is back but the listener is not, and
 * the test sees every reconnect attempt, which is how it checks the backoff.
 */
@Timeout(120)
class RealtimePostgresRestartTest {
    private static OwnPostgres pg;
    private static TestGateway gw;

    @BeforeAll
    static void start() {
        pg = OwnPostgres.start("restart");
        gw = TestGateway.startOn(pg.url(), Map.of());
        gw.sql("create table items (n int primary key)");
        gw.sql("grant select, insert on items to anon, service_role");
        gw.sql("select realtime.enable('items')");
        // every row is also a database broadcast, from the same transaction
        gw.sql("create function items_tick() returns trigger language plpgsql as $$ begin "
                + "perform realtime.send(jsonb_build_object('n', new.n), 'row', 'ticks', false); return new; end $$");
        gw.sql("create trigger items_tick after insert on items for each row execute function items_tick()");
        gw.sql("create table listener_gate (closed boolean not null)");
        gw.sql("insert into listener_gate values (false)");
        gw.sql("create sequence listener_attempts");
        // security definer: it runs at every login, the request pool's (as authenticator) included
        gw.sql("create function hold_listener_out() returns event_trigger language plpgsql security definer "
                + "set search_path = '' as $$ begin "
                + "if current_setting('application_name', true) = 'parley-listener' then "
                + "if (select closed from public.listener_gate) then "
                + "perform nextval('public.listener_attempts'); "
                + "raise exception 'the test holds the listener out'; end if; end if; end $$");
        gw.sql("create event trigger hold_listener_out on login execute function hold_listener_out()");
    }

    @AfterAll
    static void stop() throws IOException {
        if (gw != null) gw.close();
        if (pg != null) pg.close();
    }

    private static void commitRows(int from, int to) {
        for (int i = from; i <= to; i++) gw.sql("insert into items values (" + i + ")");
    }

    private static JsonNode health() {
        HttpResponse<String> r = gw.get("/health", null);
        try {
            JsonNode body = Json.MAPPER.readTree(r.body());
            ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("http", r.statusCode());
            return body;
        } catch (IOException e) {
            throw new AssertionError("unreadable /health: " + r.body(), e);
        }
    }

    private static long attempts(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("select case when is_called then last_value else 0 end from listener_attempts")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aPostgresRestartMidStreamLosesNothingDuplicatesNothingAndTheListenerComesBackWithCappedBackoff() throws Exception {
        try (PhoenixSocket changes = PhoenixSocket.connect(gw, gw.serviceKey());
             PhoenixSocket ticks = PhoenixSocket.connect(gw, gw.anonKey(), "1.0.0")) {
            changes.joinOk("realtime:rows", JoinPayloads.realtimeJs().changes("INSERT", "public", "items", null).build());
            ticks.joinOk("realtime:ticks", JoinPayloads.realtimeJs().build());

            // before: rows 1-5 arrive live
            commitRows(1, 5);
            assertEquals(StreamLog.rows(1, 5), StreamLog.read(changes, 5));
            assertEquals(StreamLog.rows(1, 5), StreamLog.read(ticks, 5));

            // restart; once Postgres is back, the listener is held out
            gw.sql("update listener_gate set closed = true");
            pg.stop();
            assertEquals(List.of("lost"), StreamLog.readThroughNotice(changes), "the loss is told at once");
            assertEquals(List.of("lost"), StreamLog.readThroughNotice(ticks));
            pg.start();
            long back = System.nanoTime();

            // the first REST request after the restart: a pooled connection died with the old server
            HttpResponse<String> insert = gw.send(gw.request("/rest/v1/items")
                    .header("apikey", gw.serviceKey()).header("Authorization", "Bearer " + gw.serviceKey())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"n\": 6}")).build());
            assertNotEquals(500, insert.statusCode(), "a dead pooled connection is never a 500: " + insert.body());
            assertEquals(201, insert.statusCode(), "the dead connection is replaced and the insert goes through: " + insert.body());
            commitRows(7, 10); // a second path: psql-like, while the listener is still out

            JsonNode h = health();
            assertEquals(503, h.path("http").asInt(), h.toString());
            assertEquals("reconnecting", h.path("listener").asText(), h.toString());
            assertEquals("ok", h.path("database").asText(), h.toString());

            // watch the listener's attempts for 14 s: the delay doubles (0.1, 0.2, ... 3.2 s), then stays at the
            // 5 s cap; uncapped, the next one would come 6.4 s after the one before
            List<Long> attemptMillis = new ArrayList<>();
            try (Connection c = TestPostgres.connect(gw.database()); Statement st = c.createStatement()) {
                long seen = attempts(st);
                while (System.nanoTime() - back < 14_000_000_000L) {
                    long now = attempts(st);
                    for (long i = seen; i < now; i++) attemptMillis.add((System.nanoTime() - back) / 1_000_000);
                    seen = now;
                    Thread.sleep(50);
                }
                assertEquals(503, health().path("http").asInt(), "still held out");
                st.execute("update listener_gate set closed = false");
            }
            long opened = System.nanoTime();
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < attemptMillis.size(); i++) gaps.add(attemptMillis.get(i) - attemptMillis.get(i - 1));
            assertTrue(attemptMillis.size() >= 3, "the listener keeps trying: attempts at " + attemptMillis + " ms");
            assertTrue(attemptMillis.size() <= 12, "with backoff, not in a tight loop: attempts at " + attemptMillis + " ms");
            for (long g : gaps) assertTrue(g <= 6_000, "no wait beyond the 5 s cap: gaps " + gaps);
            assertTrue(gaps.get(gaps.size() - 1) >= 4_000, "the delay grew to the cap: gaps " + gaps);

            while (health().path("http").asInt() != 200) {
                assertTrue(System.nanoTime() - opened < 7_000_000_000L, "the listener is back within the 5 s cap of the gate opening");
                Thread.sleep(100);
            }

            commitRows(11, 15);
            List<Object> expected = new ArrayList<>(List.of("back"));
            expected.addAll(StreamLog.rows(6, 15));
            assertEquals(expected, StreamLog.read(changes, 10), "recovery told, then every row once, in commit order");
            assertEquals(expected, StreamLog.read(ticks, 10), "the same for the database broadcasts");
            changes.assertNone(StreamLog::isData, 500, "a duplicate");
            ticks.assertNone(StreamLog::isData, 100, "a duplicate");
        }
    }
}
