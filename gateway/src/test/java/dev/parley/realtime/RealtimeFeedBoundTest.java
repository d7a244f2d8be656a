package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * PARLEY_REALTIME_MAX_PENDING_EVENTS: with a pipeline bound of one event, a burst of database
 * events overflows it at once; the node catches up from realtime.events, and every subscriber
 * still gets each event exactly once, in order.
 */
@Timeout(90)
class RealtimeFeedBoundTest {
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("PARLEY_REALTIME_MAX_PENDING_EVENTS", "1"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aBurstPastTheBoundIsCaughtUpWithoutGapOrDuplicate() {
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket b = PhoenixSocket.connect(gw, gw.anonKey())) {
            a.joinOk("realtime:burst", JoinPayloads.realtimeJs().build());
            b.joinOk("realtime:burst", JoinPayloads.realtimeJs().build());
            int bursts = 3, perBurst = 200;
            for (int k = 0; k < bursts; k++) {
                // one transaction: its notifications all arrive together, far past the bound of 1
                gw.sql("select realtime.send(jsonb_build_object('i', i), 'n', 'burst', false) from generate_series("
                        + (k * perBurst) + ", " + ((k + 1) * perBurst - 1) + ") i");
            }
            gw.sql("select realtime.send('{\"i\": -1}'::jsonb, 'end', 'burst', false)");
            for (PhoenixSocket s : new PhoenixSocket[] {a, b}) {
                long lastPosition = 0;
                for (int i = 0; i < bursts * perBurst; i++) {
                    JsonNode m = s.awaitEvent("realtime:burst", "broadcast");
                    assertEquals("n", m.path("payload").path("event").asText());
                    assertEquals(i, m.path("payload").path("payload").path("i").asInt());
                    long position = Long.parseLong(m.path("payload").path("position").asText());
                    assertEquals(true, position > lastPosition, "positions increase");
                    lastPosition = position;
                }
                // the next event is the end marker: nothing repeated after the catch-up
                assertEquals("end", s.awaitEvent("realtime:burst", "broadcast").path("payload").path("event").asText());
            }
        }
    }
}
