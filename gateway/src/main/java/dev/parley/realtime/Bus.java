package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.db.NotificationBus;
import dev.parley.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Client broadcasts and presence diffs between gateway nodes, through Postgres: published with
 * {@code realtime.bus_send} (NOTIFY, or a stored row announced by id when larger than NOTIFY
 * allows) and received on channel {@code parley_bus} by every node, the sender included. One
 * path for local and remote delivery keeps every node's order identical, so nothing a user sees
 * depends on which node they are connected to.
 */
final class Bus {
    private static final Logger log = LoggerFactory.getLogger(Bus.class);
    static final String CHANNEL = "parley_bus";
    private final DataSource admin;
    private final Executor db;
    private volatile Consumer<ObjectNode> receiver;

    Bus(DataSource admin, Executor db, NotificationBus notifications) {
        this.admin = admin;
        this.db = db;
        notifications.listen(CHANNEL, (channel, payload) -> received(payload));
    }

    void onMessage(Consumer<ObjectNode> receiver) {
        this.receiver = receiver;
    }

    /** Publishes from a database thread; throws when Postgres is unreachable. */
    void publish(ObjectNode message) throws SQLException {
        try (Connection c = admin.getConnection(); PreparedStatement st = c.prepareStatement("select realtime.bus_send(?)")) {
            st.setString(1, message.toString());
            st.execute();
        }
    }

    private void received(String payload) {
        try {
            JsonNode n = Json.MAPPER.readTree(payload);
            if (n.has("big")) {
                long id = Long.parseLong(n.get("big").asText());
                db.execute(() -> fetchBig(id));
                return;
            }
            if (n instanceof ObjectNode o && receiver != null) receiver.accept(o);
        } catch (Exception e) {
            log.warn("unreadable bus message dropped: {}", e.toString());
        }
    }

    /**
     * A large message is read from its row. It may then reach local subscribers after smaller
     * messages published later; only very large client broadcasts take this path.
     */
    private void fetchBig(long id) {
        try (Connection c = admin.getConnection();
             PreparedStatement st = c.prepareStatement("select body from realtime.bus_messages where id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next() && receiver != null) receiver.accept((ObjectNode) Json.MAPPER.readTree(rs.getString(1)));
            }
        } catch (Exception e) {
            log.warn("bus message {} could not be read: {}", id, e.toString());
        }
    }
}
