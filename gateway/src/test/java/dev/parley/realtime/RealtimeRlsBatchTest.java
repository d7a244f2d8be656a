package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * postgres_changes RLS checked per batch (realtime.visible_rows, sql/V14): the changes of one or
 * more transactions committed together are checked in one call for all subscribers, and each
 * subscriber still gets exactly the rows its own RLS shows, in commit order; one subscriber's
 * failing check stays on its channel.
 */
@Timeout(90)
class RealtimeRlsBatchTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static UUID alice;
    static UUID bob;
    static UUID carol;

    @BeforeAll
    static void start() {
        alice = gw.createUser("alice@batch.example.com");
        bob = gw.createUser("bob@batch.example.com");
        carol = gw.createUser("carol@batch.example.com");
        // alice is in rooms 1 and 3, bob in 2 and 3; rows are readable by the members of their room
        gw.sql("create table batch_members (room int, user_id uuid, primary key (room, user_id))");
        gw.sql("insert into batch_members values (1, '" + alice + "'), (3, '" + alice + "'), (2, '" + bob + "'), (3, '" + bob + "')");
        gw.sql("grant select on batch_members to authenticated");
        gw.sql("alter table batch_members enable row level security");
        gw.sql("create policy own on batch_members for select to authenticated using (user_id = auth.uid())");
        for (String t : new String[] {"batch_rows", "batch_mixed"}) {
            gw.sql("create table " + t + " (id int primary key, room int not null, body text)");
            gw.sql("grant select on " + t + " to authenticated");
            gw.sql("alter table " + t + " enable row level security");
            gw.sql("create policy members on " + t + " for select to authenticated using "
                    + "(room in (select m.room from batch_members m where m.user_id = auth.uid()))");
            gw.sql("select realtime.enable('" + t + "')");
        }
    }

    private static PhoenixSocket subscriber(String topic, String table, String token) {
        PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey());
        s.joinOk(topic, JoinPayloads.realtimeJs().token(token).changes("*", "public", table, null).build());
        return s;
    }

    /** The next {@code n} changes on {@code topic} as "TYPE:id", checking positions increase. */
    private static List<String> changes(PhoenixSocket s, String topic, int n) {
        List<String> out = new ArrayList<>();
        long last = 0;
        for (int i = 0; i < n; i++) {
            JsonNode p = s.awaitEvent(topic, "postgres_changes").path("payload");
            long position = Long.parseLong(p.path("position").asText());
            assertTrue(position > last, "positions increase: " + position + " after " + last);
            last = position;
            JsonNode d = p.path("data");
            out.add(d.path("type").asText() + ":" + (d.has("record") ? d.path("record") : d.path("old_record")).path("id").asInt());
        }
        return out;
    }

    private static List<String> inserts(IntStream ids) {
        return ids.mapToObj(i -> "INSERT:" + i).toList();
    }

    private static void assertNoMoreChanges(PhoenixSocket s) {
        s.assertNone(m -> m.path("event").asText().equals("postgres_changes"), 300, "a change beyond the expected ones");
    }

    @Test
    void eachSubscriberGetsExactlyItsRowsOfABatchInCommitOrder() {
        try (PhoenixSocket a = subscriber("realtime:b1", "batch_rows", gw.userToken(alice));
             PhoenixSocket b = subscriber("realtime:b1", "batch_rows", gw.userToken(bob));
             PhoenixSocket svc = subscriber("realtime:b1", "batch_rows", gw.serviceKey())) {
            // three transactions of 60 rows each, back to back: what commits during one check is
            // checked together by the next
            for (int k = 0; k < 3; k++) {
                gw.sql("insert into batch_rows select g, 1 + g % 3, 'row ' || g from generate_series(" + (k * 60 + 1) + ", " + (k * 60 + 60) + ") g");
            }
            // room 1 + g % 3: g % 3 = 0 -> room 1, 1 -> room 2, 2 -> room 3
            assertEquals(inserts(IntStream.rangeClosed(1, 180).filter(g -> g % 3 != 1)), changes(a, "realtime:b1", 120));
            assertEquals(inserts(IntStream.rangeClosed(1, 180).filter(g -> g % 3 != 0)), changes(b, "realtime:b1", 120));
            assertEquals(inserts(IntStream.rangeClosed(1, 180)), changes(svc, "realtime:b1", 180));
            assertNoMoreChanges(a);
            assertNoMoreChanges(b);
        }
    }

    @Test
    void updatesAndDeletesInTheSameBatchFollowTheLiveRowsAndCommitOrder() {
        gw.sql("insert into batch_mixed values (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'c')");
        try (PhoenixSocket a = subscriber("realtime:b2", "batch_mixed", gw.userToken(alice));
             PhoenixSocket b = subscriber("realtime:b2", "batch_mixed", gw.userToken(bob))) {
            gw.sql("begin; update batch_mixed set body = 'a2' where id = 1; delete from batch_mixed where id = 2; "
                    + "insert into batch_mixed values (4, 1, 'd'); update batch_mixed set room = 2 where id = 3; "
                    + "insert into batch_mixed values (5, 2, 'e'); commit");
            // RLS is asked about the rows as they are when checked: row 3 is in room 2 by then;
            // a delete reveals only the key, to everyone whose role may SELECT the table
            assertEquals(List.of("UPDATE:1", "DELETE:2", "INSERT:4"), changes(a, "realtime:b2", 3));
            assertEquals(List.of("DELETE:2", "UPDATE:3", "INSERT:5"), changes(b, "realtime:b2", 3));
            assertNoMoreChanges(a);
            assertNoMoreChanges(b);
        }
    }

    @Test
    void aPolicyThatRaisesForOneUserInABatchFailsOnlyThatUsersChannel() {
        gw.sql("create table batch_fragile (id int primary key, v text)");
        gw.sql("grant select on batch_fragile to authenticated");
        gw.sql("alter table batch_fragile enable row level security");
        gw.sql("create policy boom on batch_fragile for select to authenticated using "
                + "(case when auth.uid() = '" + bob + "' then (id / (id - id)) = 1 "
                + "when auth.uid() = '" + carol + "' then id % 2 = 0 else true end)");
        gw.sql("select realtime.enable('batch_fragile')");
        try (PhoenixSocket a = subscriber("realtime:b3", "batch_fragile", gw.userToken(alice));
             PhoenixSocket b = subscriber("realtime:b3", "batch_fragile", gw.userToken(bob));
             PhoenixSocket c = subscriber("realtime:b3", "batch_fragile", gw.userToken(carol))) {
            gw.sql("insert into batch_fragile select g, 'v' || g from generate_series(1, 40) g");
            gw.sql("insert into batch_fragile select g, 'v' || g from generate_series(41, 80) g");
            assertEquals(inserts(IntStream.rangeClosed(1, 80)), changes(a, "realtime:b3", 80));
            assertEquals(inserts(IntStream.rangeClosed(1, 80).filter(i -> i % 2 == 0)), changes(c, "realtime:b3", 40));
            JsonNode err = b.await(m -> m.path("event").asText().equals("system")
                    && m.path("payload").path("status").asText().equals("error"), "bob's RLS error");
            assertEquals("postgres_changes", err.path("payload").path("extension").asText());
            assertTrue(err.path("payload").path("message").asText().contains("22012"), err.toString());
            assertNoMoreChanges(b);
            assertNoMoreChanges(c);
        }
    }

    @Test
    void aRoleThatLostItsSelectPrivilegeSeesNothingAndTheOthersEverything() {
        gw.sql("do $$ begin if not exists (select from pg_roles where rolname = 'batch_limited') then "
                + "create role batch_limited nologin; end if; end $$");
        gw.sql("grant batch_limited to authenticator");
        gw.sql("create table batch_priv (id int primary key, v text)");
        gw.sql("grant select on batch_priv to authenticated, batch_limited");
        gw.sql("alter table batch_priv enable row level security");
        gw.sql("create policy everyone on batch_priv for select to authenticated, batch_limited using (true)");
        gw.sql("select realtime.enable('batch_priv')");
        String limitedToken = gw.gateway().context().jwt().sign(Map.of("sub", carol.toString(), "role", "batch_limited", "aud", "authenticated"), 3600);
        try (PhoenixSocket a = subscriber("realtime:b4", "batch_priv", gw.userToken(alice));
             PhoenixSocket l = subscriber("realtime:b4", "batch_priv", limitedToken)) {
            gw.sql("insert into batch_priv values (1, 'before')");
            assertEquals(List.of("INSERT:1"), changes(l, "realtime:b4", 1));
            assertEquals(List.of("INSERT:1"), changes(a, "realtime:b4", 1));
            // GRANT and REVOKE do not reload the gateway's privilege cache: the check itself
            // meets the missing privilege (42501), which must hide the rows without an error
            gw.sql("revoke select on batch_priv from batch_limited");
            gw.sql("insert into batch_priv select g, 'after' from generate_series(2, 31) g");
            assertEquals(inserts(IntStream.rangeClosed(2, 31)), changes(a, "realtime:b4", 30));
            l.assertNone(m -> m.path("event").asText().equals("postgres_changes")
                    || m.path("event").asText().equals("system"), 500, "a change or an error for a role without SELECT");
        }
    }

    @Test
    void aCachedCheckNeverShowsARowToTheWrongClaimsOrRole() {
        // visibility from the token's claims (not from a table): the same statement, planned once
        // per connection, must answer per group with that group's claims, and per role
        gw.sql("create table batch_team (id int primary key, team text not null)");
        gw.sql("grant select on batch_team to anon, authenticated");
        gw.sql("alter table batch_team enable row level security");
        gw.sql("create policy team on batch_team for select to authenticated using (team = auth.jwt() ->> 'team')");
        gw.sql("create policy open on batch_team for select to anon using (team = 'public')");
        gw.sql("select realtime.enable('batch_team')");
        String redAlice = gw.gateway().context().jwt().sign(
                Map.of("sub", alice.toString(), "role", "authenticated", "aud", "authenticated", "team", "red"), 3600);
        String blueAlice = gw.gateway().context().jwt().sign(
                Map.of("sub", alice.toString(), "role", "authenticated", "aud", "authenticated", "team", "blue"), 3600);
        String blueBob = gw.gateway().context().jwt().sign(
                Map.of("sub", bob.toString(), "role", "authenticated", "aud", "authenticated", "team", "blue"), 3600);
        String[] teams = {"red", "blue", "public"};
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket b = subscriber("realtime:b5", "batch_team", blueBob);
             PhoenixSocket n = subscriber("realtime:b5", "batch_team", gw.anonKey())) {
            String joinRef = a.joinOk("realtime:b5", JoinPayloads.realtimeJs().token(redAlice).changes("*", "public", "batch_team", null).build());
            for (int round = 0; round < 2; round++) {
                int from = round * 30 + 1;
                gw.sql("insert into batch_team select g, (array['red', 'blue', 'public'])[1 + g % 3] from generate_series("
                        + from + ", " + (from + 29) + ") g");
                String aliceTeam = round == 0 ? "red" : "blue";
                assertEquals(inserts(IntStream.rangeClosed(from, from + 29).filter(g -> teams[g % 3].equals(aliceTeam))),
                        changes(a, "realtime:b5", 10), "alice, team " + aliceTeam);
                assertEquals(inserts(IntStream.rangeClosed(from, from + 29).filter(g -> teams[g % 3].equals("blue"))),
                        changes(b, "realtime:b5", 10));
                assertEquals(inserts(IntStream.rangeClosed(from, from + 29).filter(g -> teams[g % 3].equals("public"))),
                        changes(n, "realtime:b5", 10));
                assertNoMoreChanges(a);
                if (round == 0) {
                    // alice moves to the blue team: same user and role, new claims
                    a.push(joinRef, "realtime:b5", "access_token", JsonNodeFactory.instance.objectNode().put("access_token", blueAlice));
                    String ref = a.push(null, "phoenix", "heartbeat", JsonNodeFactory.instance.objectNode());
                    a.awaitReply(ref); // handled in order: the new token is in place
                }
            }
            assertNoMoreChanges(b);
            assertNoMoreChanges(n);
        }
    }

    @Test
    void broadcastsFromTheDatabaseKeepTheirPlaceAmongChanges() {
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            s.joinOk("realtime:b6", JoinPayloads.realtimeJs().token(gw.userToken(alice)).changes("INSERT", "public", "batch_rows", "id=gte.1000").build());
            gw.sql("begin; insert into batch_rows values (1000, 1, 'x'); select realtime.send('{\"n\": 1}', 'tick', 'b6', false); "
                    + "insert into batch_rows values (1001, 2, 'not alice''s'), (1002, 3, 'y'); "
                    + "select realtime.send('{\"n\": 2}', 'tick', 'b6', false); commit");
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                JsonNode m = s.await(x -> x.path("topic").asText().equals("realtime:b6")
                        && (x.path("event").asText().equals("postgres_changes") || x.path("event").asText().equals("broadcast")), "event " + i);
                got.add(m.path("event").asText().equals("broadcast")
                        ? "tick:" + m.path("payload").path("payload").path("n").asInt()
                        : "INSERT:" + m.path("payload").path("data").path("record").path("id").asInt());
            }
            assertEquals(List.of("INSERT:1000", "tick:1", "INSERT:1002", "tick:2"), got);
        }
    }
}
