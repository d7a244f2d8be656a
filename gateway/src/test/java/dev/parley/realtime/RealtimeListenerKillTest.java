package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import dev.parley.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Postgres kills only the listener's backend ({@code pg_terminate_backend}) while a writer keeps
 * committing: the node tells its channels, reconnects, and every row reaches every subscriber once,
 * in commit order, whether it committed before, during or after the outage.
 */
@Timeout(60)
class RealtimeListenerKillTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();

    @BeforeAll
    static void start() {
        gw.sql("create table items (n int primary key)");
        gw.sql("grant select on items to anon");
        gw.sql("select realtime.enable('items')");
        gw.sql("create function items_tick() returns trigger language plpgsql as $$ begin "
                + "perform realtime.send(jsonb_build_object('n', new.n), 'row', 'ticks', false); return new; end $$");
        gw.sql("create trigger items_tick after insert on items for each row execute function items_tick()");
    }

    @Test
    void killingTheListenerWhileRowsCommitLosesAndDuplicatesNothing() throws Exception {
        int rows = 300;
        int killAfter = 100;
        try (PhoenixSocket changes = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket ticks = PhoenixSocket.connect(gw, gw.anonKey(), "1.0.0")) {
            changes.joinOk("realtime:rows", JoinPayloads.realtimeJs().changes("INSERT", "public", "items", null).build());
            ticks.joinOk("realtime:ticks", JoinPayloads.realtimeJs().build());
            CountDownLatch killTime = new CountDownLatch(1);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (Connection c = TestPostgres.connect(gw.database()); Statement st = c.createStatement()) {
                    for (int i = 1; i <= rows; i++) {
                        st.execute("insert into items values (" + i + ")");
                        if (i == killAfter) killTime.countDown();
                        Thread.sleep(3);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(killTime.await(20, TimeUnit.SECONDS), "the writer got going");
            try (Connection c = TestPostgres.connect(gw.database()); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                         + "where application_name = 'parley-listener' and datname = current_database()")) {
                rs.next();
                assertEquals(1, rs.getInt(1), "this gateway's listener was found and killed");
            }
            writer.get(30, TimeUnit.SECONDS);

            for (PhoenixSocket s : List.of(changes, ticks)) {
                List<Object> seen = StreamLog.read(s, rows);
                assertEquals(List.of("lost", "back"), seen.stream().filter(e -> e instanceof String).toList(),
                        "the channel is told of the loss and of the recovery: " + seen);
                assertEquals(StreamLog.rows(1, rows), seen.stream().filter(e -> e instanceof Integer).toList(),
                        "every row once, in commit order");
                s.assertNone(StreamLog::isData, 300, "a duplicate");
            }
            JsonNode health = dev.parley.http.Json.MAPPER.readTree(gw.get("/health", null).body());
            assertEquals("ok", health.path("status").asText(), health.toString());
        }
    }

    /** Reads {@code rows} data events and the listener notices up to the recovery, whichever order they come in. */
    private static List<Object> readThroughRecovery(PhoenixSocket s, int rows) {
        List<Object> out = new ArrayList<>();
        int data = 0;
        while (data < rows || !out.contains("back")) {
            Object e = StreamLog.entry(s.await(x -> StreamLog.isData(x) || StreamLog.isListenerNotice(x), "rows and the recovery; so far " + out));
            out.add(e);
            if (e instanceof Integer) data++;
        }
        return out;
    }

    @Test
    void rowsCommittedRightAfterTheKillAreNotLostInTheReconnect() throws Exception {
        // the kill and the next commits race the reconnect (100 ms): whichever wins, nothing is lost
        try (PhoenixSocket changes = PhoenixSocket.connect(gw, gw.anonKey())) {
            changes.joinOk("realtime:race", JoinPayloads.realtimeJs().changes("INSERT", "public", "items", "n=gte.1000").build());
            try (Connection c = TestPostgres.connect(gw.database()); Statement st = c.createStatement()) {
                for (int round = 0; round < 3; round++) {
                    st.execute("select pg_terminate_backend(pid) from pg_stat_activity "
                            + "where application_name = 'parley-listener' and datname = current_database()");
                    for (int i = 0; i < 10; i++) st.execute("insert into items values (" + (1000 + round * 10 + i) + ")");
                    List<Object> seen = readThroughRecovery(changes, 10);
                    assertEquals(StreamLog.rows(1000 + round * 10, 1009 + round * 10),
                            seen.stream().filter(e -> e instanceof Integer).toList(), "round " + round + ": " + seen);
                    assertEquals(List.of("lost", "back"), seen.stream().filter(e -> e instanceof String).toList(),
                            "round " + round + ": " + seen);
                }
            }
            changes.assertNone(StreamLog::isData, 300, "a duplicate");
        }
    }
}
