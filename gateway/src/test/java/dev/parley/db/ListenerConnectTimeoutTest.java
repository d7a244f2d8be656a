package dev.parley.db;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.config.DatabaseUrl;
import dev.parley.http.Json;
import dev.parley.testing.TcpProxy;
import dev.parley.testing.TestGateway;
import dev.parley.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener against a database that accepts TCP but never answers (a {@link TcpProxy} turned
 * black hole, in front of the real test Postgres): every connection attempt ends at the connect
 * timeout, so the capped backoff keeps its pace instead of waiting out pgjdbc-ng's own 90 s, and
 * the node keeps saying so on /health.
 */
@Timeout(90)
class ListenerConnectTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static DatabaseUrl through(TcpProxy proxy, DatabaseUrl db) {
        return new DatabaseUrl("127.0.0.1", proxy.port(), db.database(), db.user(), db.password());
    }

    @Test
    void reconnectAttemptsAgainstASilentHostEachEndAtTheTimeoutAndTheBackoffKeepsGoing() throws Exception {
        DatabaseUrl db = TestPostgres.newDatabase();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        BlockingQueue<String> status = new LinkedBlockingQueue<>();
        try (TcpProxy proxy = TcpProxy.to(db.host(), db.port());
             PgListener listener = new PgListener(through(proxy, db), TIMEOUT)) {
            listener.start();
            listener.listen("pings", (channel, payload) -> received.add(payload));
            listener.addStatusListener(new NotificationBus.StatusListener() {
                @Override
                public void onDisconnected() {
                    status.add("lost");
                }

                @Override
                public void onReconnected() {
                    status.add("back");
                }
            });
            TestPostgres.exec(db, "notify pings, 'one'");
            assertEquals("one", received.poll(10, TimeUnit.SECONDS));

            proxy.silence();
            long silenced = System.nanoTime();
            assertEquals("lost", status.poll(10, TimeUnit.SECONDS), "the cut connection is noticed");
            int before = proxy.acceptedNanos().size();
            Thread.sleep(9_000);
            assertFalse(listener.isConnected());
            List<Long> attempts = new ArrayList<>();
            for (long t : proxy.acceptedNanos().subList(before, proxy.acceptedNanos().size())) {
                attempts.add((t - silenced) / 1_000_000);
            }
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < attempts.size(); i++) gaps.add(attempts.get(i) - attempts.get(i - 1));
            // each attempt takes the 2 s timeout, then the delay doubles from 0.1 s: attempts near
            // 0.1, 2.3, 4.7, 7.5 s. An attempt left to pgjdbc-ng would hold the next one back 60 s.
            assertTrue(attempts.size() >= 3 && attempts.size() <= 5, "attempts at " + attempts + " ms");
            for (long g : gaps) assertTrue(g >= 2_000 && g <= 2_000 + 5_000 + 1_500, "gaps " + gaps + " ms");
            assertTrue(gaps.get(gaps.size() - 1) > gaps.get(0), "the delay grows: gaps " + gaps + " ms");

            proxy.resume();
            assertEquals("back", status.poll(15, TimeUnit.SECONDS), "back within the 5 s cap and one timeout");
            assertTrue(listener.isConnected());
            TestPostgres.exec(db, "notify pings, 'two'");
            assertEquals("two", received.poll(10, TimeUnit.SECONDS), "LISTENed again");
        }
    }

    @Test
    void healthAnswersWithinTwoSecondsWhileTheDatabaseIsABlackHoleAndOkOnceItAnswersAgain() throws Exception {
        DatabaseUrl db = TestPostgres.newDatabase();
        try (TcpProxy proxy = TcpProxy.to(db.host(), db.port());
             TestGateway gw = TestGateway.startOn(through(proxy, db),
                     Map.of("PARLEY_DB_CONNECT_TIMEOUT", "1", "PARLEY_DB_POOL_ACQUISITION_TIMEOUT", "3"))) {
            assertEquals(200, gw.get("/health", null).statusCode());
            proxy.silence();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            JsonNode body = null;
            while (System.nanoTime() < deadline) {
                long start = System.nanoTime();
                HttpResponse<String> r = gw.get("/health", null);
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(tookMs < 2_000, "/health took " + tookMs + " ms: " + r.body());
                body = Json.MAPPER.readTree(r.body());
                // the first polls may see the cut connections fail fast; then the check hangs in the
                // black hole and the deadline answers
                if (r.statusCode() == 503 && body.path("message").asText().startsWith("The database did not answer within")) break;
                Thread.sleep(200);
            }
            assertNotNull(body);
            assertEquals("reconnecting", body.path("listener").asText(), body.toString());
            assertEquals("down", body.path("database").asText(), body.toString());
            assertEquals("unavailable", body.path("status").asText(), body.toString());
            assertTrue(body.path("message").asText().startsWith("The database did not answer within"), body.toString());

            proxy.resume();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int code = 0;
            while (System.nanoTime() < deadline && (code = gw.get("/health", null).statusCode()) != 200) Thread.sleep(200);
            assertEquals(200, code, "healthy again once the database answers");
        }
    }
}
