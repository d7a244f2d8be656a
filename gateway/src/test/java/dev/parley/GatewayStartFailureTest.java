package dev.parley;

import dev.parley.config.Config;
import dev.parley.config.DatabaseUrl;
import dev.parley.testing.TestGateway;
import dev.parley.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A start that fails late (here: the HTTP port is taken, after the database, the listener and every
 * area are up) closes what it opened: no connection stays in Postgres, no thread stays in the JVM.
 */
@Timeout(60)
class GatewayStartFailureTest {

    @Test
    void aStartThatFailsAtTheLastStepLeavesNoConnectionOrThreadBehind() throws Exception {
        DatabaseUrl db = TestPostgres.newDatabase();
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Map<String, String> env = Map.of(
                    "PARLEY_PORT", Integer.toString(taken.getLocalPort()),
                    "PARLEY_HOST", "127.0.0.1",
                    "PARLEY_DATA_DIR", Files.createTempDirectory("parley-start-failure").toString(),
                    "PARLEY_DB_URL", "postgres://" + db.user() + "@" + db.host() + ":" + db.port() + "/" + db.database(),
                    "PARLEY_JWT_SECRET", TestGateway.SECRET);
            assertThrows(RuntimeException.class, () -> Gateway.start(Config.from(env)));
        }
        long end = System.nanoTime() + 10_000_000_000L;
        List<String> left;
        int connections;
        do {
            Thread.sleep(100);
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && !before.contains(t))
                    .map(Thread::getName).sorted().toList();
            connections = gatewayConnections(db);
        } while ((!left.isEmpty() || connections > 0) && System.nanoTime() < end);
        assertEquals(List.of(), left, "threads started by the failed start");
        assertEquals(0, connections, "connections of the failed start (listener, pools)");
    }

    private static int gatewayConnections(DatabaseUrl db) throws Exception {
        try (Connection c = TestPostgres.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from pg_stat_activity where datname = current_database() "
                     + "and application_name like 'parley-%'")) {
            rs.next();
            int n = rs.getInt(1);
            return n;
        }
    }
}
