package dev.parley.realtime;

import dev.parley.testing.TestGateway;
import dev.parley.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SQL surface of realtime as psql users and the chat schema rely on it. */
@Timeout(60)
class RealtimeSqlTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();

    private static List<String> column(String sql) throws Exception {
        try (Connection c = TestPostgres.connect(gw.database()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) out.add(rs.getString(1));
            return out;
        }
    }

    @Test
    void tablesAddedToThePublicationWithPsqlGetTheCaptureTrigger() throws Exception {
        gw.sql("create table pub_t (id int primary key, body text)");
        assertEquals(List.of(), column("select tgname from pg_trigger where tgrelid = 'pub_t'::regclass"));
        gw.sql("alter publication supabase_realtime add table pub_t");
        assertEquals(List.of("parley_realtime_changes"),
                column("select tgname from pg_trigger where tgrelid = 'pub_t'::regclass"));
        gw.sql("alter publication supabase_realtime drop table pub_t");
        assertEquals(List.of(), column("select tgname from pg_trigger where tgrelid = 'pub_t'::regclass"));
        gw.sql("select realtime.enable('pub_t')");
        assertEquals(List.of("parley_realtime_changes"),
                column("select tgname from pg_trigger where tgrelid = 'pub_t'::regclass"));
    }

    @Test
    void committedChangesAndSendsGetIncreasingPositionsAndRolledBackOnesNone() throws Exception {
        gw.sql("create table pos_t (id int primary key, body text); select realtime.enable('pos_t')");
        gw.sql("insert into pos_t values (1, 'a'); insert into pos_t values (2, 'b')");
        gw.sql("begin; insert into pos_t values (3, 'c'); rollback");
        gw.sql("select realtime.send('{\"x\":1}', 'ev', 'room:1', false)");
        List<String> kinds = column("select kind || ':' || coalesce(table_name, topic) from realtime.events order by position");
        assertTrue(kinds.containsAll(List.of("change:pos_t", "broadcast:room:1")), kinds.toString());
        assertEquals(3, column("select position from realtime.events where table_name = 'pos_t' or topic = 'room:1'").size());
    }

    @Test
    void aHugeRowDoesNotFailTheInsert() throws Exception {
        gw.sql("create table big_t (id int primary key, body text); select realtime.enable('big_t')");
        gw.sql("insert into big_t values (1, repeat('x', 20000))");
        assertEquals(List.of("20000"), column(
                "select length(payload->'record'->>'body') from realtime.events where table_name = 'big_t'"));
    }

    @Test
    void authorizeReportsWhatTheCallersPoliciesAllow() throws Exception {
        gw.sql("create policy read_room1 on realtime.messages for select to authenticated using (realtime.topic() = 'room:1')");
        gw.sql("create policy write_room1 on realtime.messages for insert to authenticated with check (realtime.topic() = 'room:1' and extension = 'broadcast')");
        String q = "begin; select set_config('role','service_role',true); "
                + "create temp table r on commit drop as select * from realtime.authorize('%s', 'authenticated', '{\"role\":\"authenticated\",\"sub\":\"00000000-0000-0000-0000-000000000001\"}', '00000000-0000-0000-0000-000000000001');"
                + "select set_config('role','none',true); select * from r;";
        try (Connection c = TestPostgres.connect(gw.database()); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("select set_config('role','service_role',true)");
            ResultSet rs = st.executeQuery("select * from realtime.authorize('room:1', 'authenticated', '{\"role\":\"authenticated\"}', '')");
            rs.next();
            assertTrue(rs.getBoolean(1));
            assertTrue(rs.getBoolean(2));
            assertTrue(rs.getBoolean(3));
            assertFalse(rs.getBoolean(4));
            c.rollback();
            st.execute("select set_config('role','service_role',true)");
            rs = st.executeQuery("select * from realtime.authorize('room:2', 'authenticated', '{\"role\":\"authenticated\"}', '')");
            rs.next();
            assertFalse(rs.getBoolean(1));
            assertFalse(rs.getBoolean(3));
            c.rollback();
        }
        assertEquals(List.of("0"), column("select count(*) from realtime.messages"));
    }

    /** realtime.visible_rows on one request connection (logged in as authenticator), rolled back. */
    private static Map<Integer, String> visibleRows(Connection c, String table, String keys, String groups) throws Exception {
        Map<Integer, String> out = new TreeMap<>();
        try (PreparedStatement st = c.prepareStatement("select grp, visible::text, error from realtime.visible_rows(?::regclass, ?::jsonb, ?::jsonb)")) {
            st.setString(1, table);
            st.setString(2, keys);
            st.setString(3, groups);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.put(rs.getInt(1), rs.getString(3) != null ? "error " + rs.getString(3).substring(0, 5) : rs.getString(2));
            }
        }
        return out;
    }

    private static String group(String role, String team, String keys) {
        String claims = "{\\\"role\\\":\\\"" + role + "\\\"" + (team == null ? "" : ",\\\"team\\\":\\\"" + team + "\\\"") + "}";
        return "{\"role\":\"" + role + "\",\"claims\":\"" + claims + "\",\"sub\":\"\",\"keys\":\"" + keys + "\"}";
    }

    @Test
    void visibleRowsAnswersEveryGroupWithItsOwnRoleAndClaimsFromOnePreparedPlan() throws Exception {
        gw.sql("create table vr_team (id int primary key, team text not null)");
        gw.sql("insert into vr_team values (1, 'red'), (2, 'blue'), (3, 'public'), (4, 'red'), (5, 'blue'), (6, 'public')");
        gw.sql("grant select on vr_team to anon, authenticated");
        gw.sql("alter table vr_team enable row level security");
        gw.sql("create policy team on vr_team for select to authenticated using (team = auth.jwt() ->> 'team')");
        gw.sql("create policy open on vr_team for select to anon using (team = 'public')");
        String keys = "[{\"id\":1},{\"id\":2},{\"id\":3},{\"id\":4},{\"id\":5},{\"id\":6}]";
        try (Connection c = gw.gateway().context().database().requestPool().getConnection()) {
            c.setAutoCommit(false);
            assertEquals(Map.of(0, "{3,6}", 1, "{1,4}", 2, "{2,5}", 3, "{2}"), visibleRows(c, "vr_team", keys,
                    "[" + group("anon", null, "{1,2,3,4,5,6}") + "," + group("authenticated", "red", "{1,2,3,4,5,6}") + ","
                            + group("authenticated", "blue", "{1,2,3,4,5,6}") + "," + group("authenticated", "blue", "{1,2,3}") + "]"));
            c.rollback();
            // the same connection again, the claims in another order: the statement prepared by the
            // first call runs again and must still follow each group's claims
            assertEquals(Map.of(0, "{2,5}", 1, "{4}", 2, "{6}", 3, "{}"), visibleRows(c, "vr_team", keys,
                    "[" + group("authenticated", "blue", "{1,2,3,4,5,6}") + "," + group("authenticated", "red", "{3,4}") + ","
                            + group("anon", null, "{6}") + "," + group("authenticated", "green", "{1,2,3,4,5,6}") + "]"));
            c.rollback();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select count(*), sum(custom_plans), sum(generic_plans) from pg_prepared_statements "
                         + "where name like 'parley_rls_%' and statement like '%vr_team%'")) {
                rs.next();
                assertEquals(1, rs.getInt(1), "one statement per table and connection");
                assertEquals(0, rs.getInt(2), "never planned for one group's values");
                assertEquals(8, rs.getInt(3), "one generic-plan execution per group");
            }
            c.rollback();
        }
    }

    @Test
    void visibleRowsReportsAFailingGroupAndAnswersTheOthers() throws Exception {
        gw.sql("create table vr_fail (id int primary key, v int not null)");
        gw.sql("insert into vr_fail values (1, 0), (2, 1)");
        gw.sql("create role vr_nosel nologin");
        gw.sql("grant vr_nosel to authenticator");
        gw.sql("grant select on vr_fail to authenticated");
        gw.sql("alter table vr_fail enable row level security");
        gw.sql("create policy divide on vr_fail for select to authenticated using "
                + "(case when auth.jwt() ->> 'team' = 'red' then 1 / v = 1 else true end)");
        String keys = "[{\"id\":1},{\"id\":2}]";
        try (Connection c = gw.gateway().context().database().requestPool().getConnection()) {
            c.setAutoCommit(false);
            assertEquals(Map.of(0, "{1,2}", 1, "error 22012", 2, "error 42501", 3, "{2}"), visibleRows(c, "vr_fail", keys,
                    "[" + group("authenticated", "blue", "{1,2}") + "," + group("authenticated", "red", "{1,2}") + ","
                            + group("vr_nosel", null, "{1,2}") + "," + group("authenticated", "red", "{2}") + "]"));
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select current_user, current_setting('request.jwt.claims', true)")) {
                rs.next();
                assertEquals("authenticator", rs.getString(1), "the caller's role is reset after the check");
            }
            c.rollback();
        }
    }
}
