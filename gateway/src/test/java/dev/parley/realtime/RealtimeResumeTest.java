package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import dev.parley.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Resume, Parley's addition: events carry positions; a rejoin from the last position gets
 * everything missed, in order, once; the listener's own outages lose nothing.
 */
@Timeout(90)
class RealtimeResumeTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();

    @BeforeAll
    static void start() {
        gw.sql("create table feed (id int primary key, v text)");
        gw.sql("grant select on feed to anon");
        gw.sql("select realtime.enable('feed')");
    }

    private static int id(JsonNode m) {
        return m.path("payload").path("data").path("record").path("id").asInt();
    }

    private static List<Integer> receive(PhoenixSocket s, String topic, int n) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(id(s.awaitEvent(topic, "postgres_changes")));
        return ids;
    }

    @Test
    void aClientCutOffWhileChangesKeepCommittingResumesWithNothingLostOrDuplicated() throws Exception {
        String topic = "realtime:resume";
        String position;
        List<Integer> received = new ArrayList<>();
        AtomicInteger next = new AtomicInteger(1);
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            while (writing.get()) {
                int i = next.getAndIncrement();
                gw.sql("insert into feed values (" + i + ", 'v')");
                gw.sql("select realtime.send('{\"i\":" + i + "}', 'tick', 'resume', false)");
            }
        });
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            JsonNode r = s.join(topic, JoinPayloads.realtimeJs().changes("INSERT", "public", "feed", null).build());
            position = r.path("payload").path("response").path("position").asText();
            writer.start();
            for (int i = 0; i < 5; i++) {
                JsonNode m = s.await(x -> x.path("event").asText().equals("postgres_changes"), "change");
                received.add(id(m));
                position = m.path("payload").path("position").asText();
            }
            s.abort(); // cut, no goodbye, while the writer keeps committing
        }
        Thread.sleep(300);
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            s.joinOk(topic, JoinPayloads.realtimeJs().changes("INSERT", "public", "feed", null).resume(position).build());
            Thread.sleep(300);
            writing.set(false);
            writer.join(10_000);
            int last = next.get() - 1;
            long prev = Long.parseLong(position);
            while (received.size() < last) {
                JsonNode m = s.await(x -> x.path("event").asText().equals("postgres_changes")
                        || x.path("event").asText().equals("broadcast"), "event after resume");
                long p = Long.parseLong(m.path("payload").path("position").asText());
                assertTrue(p > prev, "positions increase: " + p + " after " + prev);
                prev = p;
                if (m.path("event").asText().equals("postgres_changes")) received.add(id(m));
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i <= last; i++) expected.add(i);
            assertEquals(expected, received, "every row once, in commit order");
            s.assertNone(x -> x.path("event").asText().equals("postgres_changes"), 500, "a duplicate");
        }
    }

    @Test
    void aResumeFromBeyondTheRetentionWindowIsToldToResync() {
        gw.sql("create table old_t (id int primary key)");
        gw.sql("grant select on old_t to anon");
        gw.sql("select realtime.enable('old_t')");
        gw.sql("insert into old_t values (1)");
        gw.sql("update realtime.retention set pruned_through = (select max(position) from realtime.events)");
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            s.joinOk("realtime:old", JoinPayloads.realtimeJs().changes("INSERT", "public", "old_t", null).resume("1").build());
            JsonNode sys = s.await(m -> m.path("event").asText().equals("system") && m.path("payload").path("status").asText().equals("resync"), "resync");
            assertEquals("resume", sys.path("payload").path("extension").asText());
            assertEquals("old", sys.path("payload").path("channel").asText());
            assertTrue(sys.path("payload").path("position").asText().matches("[0-9]+"), sys.toString());
            gw.sql("insert into old_t values (2)");
            assertEquals(2, s.awaitEvent("realtime:old", "postgres_changes").path("payload").path("data").path("record").path("id").asInt());
        } finally {
            gw.sql("update realtime.retention set pruned_through = 0");
        }
    }

    @Test
    void changesCommittedWhileTheListenerIsDownAreDeliveredAfterItReconnects() throws Exception {
        gw.sql("create table outage (id int primary key)");
        gw.sql("grant select on outage to anon");
        gw.sql("select realtime.enable('outage')");
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            s.joinOk("realtime:outage", JoinPayloads.realtimeJs().changes("INSERT", "public", "outage", null).build());
            gw.sql("insert into outage values (1)");
            assertEquals(List.of(1), receive(s, "realtime:outage", 1));
            try (Connection c = TestPostgres.connect(gw.database()); Statement st = c.createStatement()) {
                // the listener is the connection of this database whose last statement was a LISTEN
                var rs = st.executeQuery("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                        + "where query like 'LISTEN %' and datname = current_database()");
                rs.next();
                assertEquals(1, rs.getInt(1), "the listener connection was found and killed");
                for (int i = 2; i <= 20; i++) st.execute("insert into outage values (" + i + ")");
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 2; i <= 20; i++) expected.add(i);
            assertEquals(expected, receive(s, "realtime:outage", 19));
            s.assertNone(m -> m.path("event").asText().equals("postgres_changes"), 500, "a duplicate");
        }
    }
}
