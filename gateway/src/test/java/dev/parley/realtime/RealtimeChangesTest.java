package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** postgres_changes: Supabase's payload, filters, RLS per subscriber, large rows, tables added later. */
@Timeout(60)
class RealtimeChangesTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static UUID alice;
    static UUID bob;

    @BeforeAll
    static void start() {
        alice = gw.createUser("alice@example.com");
        bob = gw.createUser("bob@example.com");
        gw.sql("create table notes (id int primary key, body text, n int, tags text[], at timestamptz default now())");
        gw.sql("grant select on notes to anon, authenticated");
        gw.sql("alter publication supabase_realtime add table notes");
        gw.sql("create table rooms_members (room int, user_id uuid, primary key (room, user_id))");
        gw.sql("insert into rooms_members values (1, '" + alice + "'), (2, '" + bob + "')");
        gw.sql("create table msgs (id serial primary key, room int not null, body text)");
        gw.sql("revoke all on msgs from anon");
        gw.sql("grant select on msgs to authenticated");
        gw.sql("alter table msgs enable row level security");
        gw.sql("create policy member_reads on msgs for select to authenticated using "
                + "(exists (select 1 from rooms_members m where m.room = msgs.room and m.user_id = auth.uid()))");
        gw.sql("grant select on rooms_members to authenticated");
        gw.sql("select realtime.enable('msgs')");
    }

    @Test
    void insertUpdateDeleteArriveInSupabasesShape() {
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            JsonNode reply = s.join("realtime:notes", JoinPayloads.realtimeJs().changes("*", "public", "notes", null).build());
            JsonNode binding = reply.path("payload").path("response").path("postgres_changes").get(0);
            assertEquals("*", binding.path("event").asText());
            assertEquals("public", binding.path("schema").asText());
            assertEquals("notes", binding.path("table").asText());
            assertFalse(binding.has("filter"), "absent filters are not echoed (realtime-js compares)");
            int id = binding.path("id").asInt();
            JsonNode sys = s.awaitEvent("realtime:notes", "system");
            assertEquals("postgres_changes", sys.path("payload").path("extension").asText());
            assertEquals("ok", sys.path("payload").path("status").asText());

            gw.sql("insert into notes (id, body, n, tags) values (1, 'hello', 5, '{a,b}')");
            JsonNode ins = s.awaitEvent("realtime:notes", "postgres_changes").path("payload");
            assertEquals(id, ins.path("ids").get(0).asInt());
            JsonNode data = ins.path("data");
            assertEquals("INSERT", data.path("type").asText());
            assertEquals("public", data.path("schema").asText());
            assertEquals("notes", data.path("table").asText());
            assertEquals("hello", data.path("record").path("body").asText());
            assertEquals(5, data.path("record").path("n").asInt());
            assertEquals("b", data.path("record").path("tags").get(1).asText());
            assertFalse(data.has("old_record"));
            assertTrue(data.path("commit_timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z"));
            assertEquals("int4", findColumn(data, "id").path("type").asText());
            assertEquals("_text", findColumn(data, "tags").path("type").asText());
            assertTrue(data.path("errors").isNull());
            long p1 = Long.parseLong(ins.path("position").asText());

            gw.sql("update notes set body = 'edited' where id = 1");
            JsonNode upd = s.awaitEvent("realtime:notes", "postgres_changes").path("payload");
            assertEquals("UPDATE", upd.path("data").path("type").asText());
            assertEquals("edited", upd.path("data").path("record").path("body").asText());
            assertEquals(1, upd.path("data").path("old_record").path("id").asInt());
            assertFalse(upd.path("data").path("old_record").has("body"), "old rows are the key unless REPLICA IDENTITY FULL");
            assertTrue(Long.parseLong(upd.path("position").asText()) > p1);

            gw.sql("delete from notes where id = 1");
            JsonNode del = s.awaitEvent("realtime:notes", "postgres_changes").path("payload");
            assertEquals("DELETE", del.path("data").path("type").asText());
            assertFalse(del.path("data").has("record"));
            assertEquals(1, del.path("data").path("old_record").path("id").asInt());
        }
    }

    private static JsonNode findColumn(JsonNode data, String name) {
        for (JsonNode c : data.path("columns")) if (c.path("name").asText().equals(name)) return c;
        throw new AssertionError("no column " + name + " in " + data.path("columns"));
    }

    @Test
    void filtersSelectRowsAndCombineWithAnd() {
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            JsonNode reply = s.join("realtime:filters", JoinPayloads.realtimeJs()
                    .changes("INSERT", "public", "notes", "n=gt.10,body=like.keep*")
                    .changes("INSERT", "public", "notes", "id=in.(101,\"102\")")
                    .changes("INSERT", "public", "notes", "body=ilike.%SHOUT%")
                    .changes("INSERT", "public", "notes", "n=is.null")
                    .changes("DELETE", "public", "notes", "id=eq.150").build());
            JsonNode pcs = reply.path("payload").path("response").path("postgres_changes");
            assertEquals(5, pcs.size());
            assertEquals("n=gt.10,body=like.keep*", pcs.get(0).path("filter").asText());
            gw.sql("insert into notes (id, body, n) values (100, 'keep me', 11), (110, 'keep me', 9), (111, 'drop', 50),"
                    + " (101, 'x', 1), (102, 'y', 1), (103, 'z', 1), (104, 'they SHOUTED', 1), (105, 'nul', null), (150, 'del', 1)");
            gw.sql("delete from notes where id in (150, 103)");
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                JsonNode d = s.awaitEvent("realtime:filters", "postgres_changes").path("payload").path("data");
                got.add(d.path("type").asText() + ":" + (d.has("record") ? d.path("record").path("id") : d.path("old_record").path("id")).asInt());
            }
            assertEquals(List.of("INSERT:100", "INSERT:101", "INSERT:102", "INSERT:104", "INSERT:105", "DELETE:150"), got);
            s.assertNone(m -> m.path("event").asText().equals("postgres_changes"), 500, "an unmatched change");
        }
    }

    @Test
    void eachSubscriberGetsOnlyTheRowsItsRlsShows() {
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket b = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket svc = PhoenixSocket.connect(gw, gw.serviceKey())) {
            a.joinOk("realtime:msgs", JoinPayloads.realtimeJs().token(gw.userToken(alice)).changes("INSERT", "public", "msgs", null).build());
            b.joinOk("realtime:msgs", JoinPayloads.realtimeJs().token(gw.userToken(bob)).changes("INSERT", "public", "msgs", null).build());
            svc.joinOk("realtime:msgs", JoinPayloads.realtimeJs().changes("INSERT", "public", "msgs", null).build());
            JsonNode anon;
            try (PhoenixSocket n = PhoenixSocket.connect(gw, gw.anonKey())) {
                anon = n.join("realtime:msgs", JoinPayloads.realtimeJs().changes("INSERT", "public", "msgs", null).build());
            }
            assertTrue(anon.path("payload").path("response").path("reason").asText().contains("may not SELECT"), anon.toString());

            gw.sql("insert into msgs (room, body) values (1, 'for room 1')");
            gw.sql("insert into msgs (room, body) values (2, 'for room 2')");
            assertEquals("for room 1", a.awaitEvent("realtime:msgs", "postgres_changes").path("payload").path("data").path("record").path("body").asText());
            assertEquals("for room 2", b.awaitEvent("realtime:msgs", "postgres_changes").path("payload").path("data").path("record").path("body").asText());
            svc.awaitEvent("realtime:msgs", "postgres_changes");
            svc.awaitEvent("realtime:msgs", "postgres_changes");
            a.assertNone(m -> m.path("event").asText().equals("postgres_changes"), 300, "room 2 for alice");
            b.assertNone(m -> m.path("event").asText().equals("postgres_changes"), 300, "room 1 for bob");
        }
    }

    @Test
    void aSubscriberWhosePolicyFailsGetsAnErrorAndTheOthersKeepReceiving() {
        gw.sql("create table fragile (id int primary key, v text)");
        gw.sql("grant select on fragile to authenticated");
        gw.sql("alter table fragile enable row level security");
        gw.sql("create policy boom on fragile for select to authenticated using "
                + "(case when auth.uid() = '" + bob + "' then (id / (id - id)) = 1 else true end)");
        gw.sql("select realtime.enable('fragile')");
        try (PhoenixSocket a = PhoenixSocket.connect(gw, gw.anonKey());
             PhoenixSocket b = PhoenixSocket.connect(gw, gw.anonKey())) {
            a.joinOk("realtime:f", JoinPayloads.realtimeJs().token(gw.userToken(alice)).changes("*", "public", "fragile", null).build());
            b.joinOk("realtime:f", JoinPayloads.realtimeJs().token(gw.userToken(bob)).changes("*", "public", "fragile", null).build());
            gw.sql("insert into fragile values (1, 'x')");
            assertEquals("x", a.awaitEvent("realtime:f", "postgres_changes").path("payload").path("data").path("record").path("v").asText());
            JsonNode err = b.await(m -> m.path("event").asText().equals("system") && m.path("payload").path("status").asText().equals("error"), "RLS error");
            assertTrue(err.path("payload").path("message").asText().contains("22012"), err.toString());
            gw.sql("insert into fragile values (2, 'y')");
            assertEquals("y", a.awaitEvent("realtime:f", "postgres_changes").path("payload").path("data").path("record").path("v").asText());
        }
    }

    @Test
    void aTwentyKilobyteRowIsDeliveredWhole() {
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            s.joinOk("realtime:big", JoinPayloads.realtimeJs().changes("INSERT", "public", "notes", "id=eq.700").build());
            gw.sql("insert into notes (id, body) values (700, repeat('x', 20000))");
            assertEquals(20000, s.awaitEvent("realtime:big", "postgres_changes").path("payload").path("data").path("record").path("body").asText().length());
        }
    }

    @Test
    void aTableAddedToThePublicationLaterEmitsWithoutARestart() {
        gw.sql("create table later_t (id int primary key, v text)");
        gw.sql("grant select on later_t to anon");
        try (PhoenixSocket s = PhoenixSocket.connect(gw, gw.anonKey())) {
            s.joinOk("realtime:later", JoinPayloads.realtimeJs().changes("INSERT", "public", "later_t", null).build());
            gw.sql("insert into later_t values (1, 'before')");
            gw.sql("alter publication supabase_realtime add table later_t");
            gw.sql("insert into later_t values (2, 'after')");
            JsonNode d = s.awaitEvent("realtime:later", "postgres_changes").path("payload").path("data");
            assertEquals("after", d.path("record").path("v").asText());
        }
    }
}
