package dev.parley.realtime;

import dev.parley.auth.Caller;
import dev.parley.db.RequestTransactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/**
 * Private topics: what a caller's RLS policies on realtime.messages allow for one topic, asked
 * once at join and again on each new access_token (never per message). Runs
 * {@code realtime.authorize} on a request connection as service_role (it inserts probe rows,
 * then becomes the caller) and always rolls back, so the probes never persist. service_role
 * bypasses RLS and may do everything without asking.
 */
final class TopicAuthorizer {
    record Permissions(boolean broadcastRead, boolean presenceRead, boolean broadcastWrite, boolean presenceWrite) {
        static final Permissions ALL = new Permissions(true, true, true, true);
    }

    private static final Caller SERVICE = new Caller(Caller.SERVICE_ROLE, "{\"role\":\"service_role\"}", "", 0,
            Map.of("role", Caller.SERVICE_ROLE));
    private final DataSource requestPool;

    TopicAuthorizer(DataSource requestPool) {
        this.requestPool = requestPool;
    }

    Permissions authorize(String subTopic, Caller caller) throws SQLException {
        if (caller.isServiceRole()) return Permissions.ALL;
        try (Connection c = requestPool.getConnection()) {
            c.setAutoCommit(false);
            try {
                RequestTransactions.setCaller(c, SERVICE);
                try (PreparedStatement st = c.prepareStatement("select * from realtime.authorize(?, ?, ?, ?)")) {
                    st.setString(1, subTopic);
                    st.setString(2, caller.role());
                    st.setString(3, caller.claimsJson());
                    st.setString(4, caller.sub());
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        return new Permissions(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4));
                    }
                }
            } finally {
                c.rollback();
            }
        }
    }
}
