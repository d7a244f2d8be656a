package dev.parley.db;

import dev.parley.auth.Caller;
import dev.parley.rest.sql.Sql;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link RequestTransactions#single}: the caller's set-up and one statement in one round trip,
 * one implicit transaction. The gateway here has a pool of one connection, so every call borrows
 * the same server session and whatever a call left behind would show in the next.
 */
@Timeout(60)
class SingleStatementTest {
    static TestGateway gw;
    static RequestTransactions tx;
    static Caller alice;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("PARLEY_DB_POOL_SIZE", "1"));
        tx = gw.gateway().context().transactions();
        alice = gw.gateway().context().jwt().verify(gw.userToken(UUID.fromString("00000000-0000-0000-0000-00000000a11c")));
        gw.sql("create table notes (id int primary key, owner uuid not null default auth.uid());"
                + "alter table notes enable row level security;"
                + "create policy own on notes using (owner = auth.uid()) with check (owner = auth.uid());"
                + "grant select, insert on notes to authenticated;");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** A statement with its values, as the REST handlers hand one over. */
    static class Bound implements BoundStatement {
        private final String text;
        private final Object[] values;

        Bound(String text, Object... values) {
            this.text = text;
            this.values = values;
        }

        @Override
        public String text() {
            return text;
        }

        @Override
        public void bind(PreparedStatement st, int first) throws SQLException {
            for (int i = 0; i < values.length; i++) st.setObject(first + i, values[i]);
        }
    }

    private static List<String> row(Statement st) throws SQLException {
        try (ResultSet rs = st.getResultSet()) {
            rs.next();
            List<String> out = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) out.add(rs.getString(i));
            return out;
        }
    }

    /** What the pooled session holds between borrowers, read outside any request. */
    private static List<String> sessionState() throws SQLException {
        try (Connection c = gw.gateway().context().database().requestPool().getConnection();
             Statement st = c.createStatement()) {
            st.execute("select pg_backend_pid()::text, current_user, current_setting('request.jwt.claims', true),"
                    + " current_setting('request.jwt.claim.sub', true), current_setting('app.user_id', true),"
                    + " current_setting('transaction_read_only')");
            return row(st);
        }
    }

    @Test
    void theStatementRunsAsTheCallerAndReturnsItsResult() throws SQLException {
        List<String> seen = tx.single(alice, true,
                new Bound("select current_user::text, auth.uid()::text, current_setting('request.jwt.claim.role'), ?::text", "x"),
                SingleStatementTest::row);
        assertEquals(List.of("authenticated", "00000000-0000-0000-0000-00000000a11c", "authenticated", "x"), seen);
    }

    /**
     * A value bound without a type makes pgjdbc describe the statement once it server-prepares
     * it (the fifth execution), and then split the pipeline with a Sync of its own: the statement
     * must still run in the caller's transaction.
     */
    @Test
    void theCallerHoldsWhenPgjdbcSplitsThePipeline() throws SQLException {
        Bound untyped = new Bound("select current_user::text, auth.uid()::text, ?::text", "v") {
            @Override
            public void bind(PreparedStatement st, int first) throws SQLException {
                st.setObject(first, "v", java.sql.Types.OTHER);
            }
        };
        for (int i = 0; i < 10; i++) {
            assertEquals(List.of("authenticated", "00000000-0000-0000-0000-00000000a11c", "v"),
                    tx.single(alice, false, untyped, SingleStatementTest::row), "execution " + (i + 1));
        }
    }

    /**
     * One Sync per request, also once pgjdbc server-prepares the statement (from its fifth
     * execution on) and for a result of unbounded size (text, as the REST bodies): one round trip. (The first request on a connection also looks up the type
     * {@code unknown} that Sql declares its values with: one more, once per connection.)
     */
    @Test
    void aRequestIsOneRoundTrip() throws SQLException {
        Sql read = new Sql().raw("select count(*)::text from notes where id = ").value("1").raw(" and owner::text <> ").value("x");
        Logger protocol = Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");
        long thread = Thread.currentThread().getId();
        AtomicInteger syncs = new AtomicInteger();
        Handler counter = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLongThreadID() == thread && " FE=> Sync".equals(r.getMessage())) syncs.incrementAndGet();
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        tx.single(alice, true, read, st -> null);
        Level before = protocol.getLevel();
        protocol.setLevel(Level.FINEST);
        protocol.addHandler(counter);
        try {
            for (int i = 1; i < 10; i++) {
                syncs.set(0);
                assertEquals("0", tx.single(alice, true, read, st -> row(st).get(0)));
                assertEquals(1, syncs.get(), "Syncs sent by execution " + (i + 1));
            }
        } finally {
            protocol.removeHandler(counter);
            protocol.setLevel(before);
        }
    }

    @Test
    void nothingOfTheCallerOutlivesTheRequest() throws SQLException {
        String pid = tx.single(alice, true, new Bound("select pg_backend_pid()::text"), st -> row(st).get(0));
        List<String> after = sessionState();
        assertEquals(pid, after.get(0), "the same pooled session");
        assertEquals(List.of("authenticator", "", "", "", "off"), after.subList(1, 6));

        tx.single(alice, false, new Bound("select 1"), st -> null);
        assertEquals(List.of(pid, "authenticator", "", "", "", "off"), sessionState());
    }

    @Test
    void anErrorInTheStatementRollsBackTheWholeTransaction() throws SQLException {
        String pid = tx.single(alice, true, new Bound("select pg_backend_pid()::text"), st -> row(st).get(0));
        SQLException e = assertThrows(SQLException.class, () -> tx.single(alice, false,
                new Bound("with w as (insert into notes (id) values (1) returning id) select 1 / (count(*) - 1) from w"),
                st -> null));
        assertEquals("22012", e.getSQLState());
        assertEquals(List.of(pid, "authenticator", "", "", "", "off"), sessionState());
        long rows = tx.single(alice, false, new Bound("insert into notes (id) values (1)"), Statement::getLargeUpdateCount);
        assertEquals(1, rows, "the row of the failed statement was never written");
        gw.sql("delete from notes");
    }

    @Test
    void writesAreCheckedByThePoliciesOfTheCaller() {
        SQLException e = assertThrows(SQLException.class, () -> tx.single(alice, false,
                new Bound("insert into notes (id, owner) values (2, gen_random_uuid())"), Statement::getLargeUpdateCount));
        assertEquals("42501", e.getSQLState());
    }

    @Test
    void readOnlyRefusesWritesAndLeavesTheSessionWritable() throws SQLException {
        SQLException e = assertThrows(SQLException.class, () -> tx.single(alice, true,
                new Bound("insert into notes (id) values (3)"), Statement::getLargeUpdateCount));
        assertEquals("25006", e.getSQLState());
        assertEquals("off", sessionState().get(5));
        assertEquals(1L, (long) tx.single(alice, false, new Bound("insert into notes (id) values (3)"), Statement::getLargeUpdateCount));
        gw.sql("delete from notes");
    }

    @Test
    void readsSurviveConnectionsKilledUnderThePool() throws SQLException {
        for (int i = 0; i < 4; i++) {
            terminateRequestConnections();
            assertEquals("1", tx.single(Caller.anonymous(), true, new Bound("select 1"), st -> row(st).get(0)));
        }
    }

    @Test
    void writesAreRetriedWhenPostgresEndedTheSession() throws SQLException {
        for (int i = 0; i < 4; i++) {
            terminateRequestConnections();
            assertEquals(1L, (long) tx.single(alice, false, new Bound("insert into notes (id) values (?)", 10 + i),
                    Statement::getLargeUpdateCount));
        }
        assertEquals("4", tx.single(alice, true, new Bound("select count(*) from notes where id >= 10"), st -> row(st).get(0)));
        gw.sql("delete from notes");
    }

    /** Ends the pooled session under the pool, which still holds it as idle. */
    private static void terminateRequestConnections() throws SQLException {
        // Used just now, so the pool hands it out again without a liveness check.
        tx.single(Caller.anonymous(), true, new Bound("select 1"), st -> null);
        gw.sql("select pg_terminate_backend(pid, 10000) from pg_stat_activity"
                + " where usename = 'authenticator' and datname = current_database()");
    }
}
