package dev.parley.realtime;

import dev.parley.testing.TestGateway;
import dev.parley.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

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
}
