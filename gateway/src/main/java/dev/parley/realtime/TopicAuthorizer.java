package dev.parley.realtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.parley.auth.Caller;
import dev.parley.db.RequestTransactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Private topics: what a caller's RLS policies on realtime.messages allow for one topic, asked
 * once at join and again on each new access_token (never per message). Runs
 * {@code realtime.authorize} on a request connection as service_role (it inserts probe rows,
 * then becomes the caller) and always rolls back, so the probes never persist. service_role
 * bypasses RLS and may do everything without asking. {@link #authorizeGroups} is the same check
 * for many callers at once, used when a topic's access is re-checked ({@link Reauthorizer}).
 */
final class TopicAuthorizer {
    record Permissions(boolean broadcastRead, boolean presenceRead, boolean broadcastWrite, boolean presenceWrite) {
        static final Permissions ALL = new Permissions(true, true, true, true);

        boolean mayRead() {
            return broadcastRead || presenceRead;
        }
    }

    /** One claims group's re-check: its permissions, or the error its policies raised. */
    record Verdict(Permissions permissions, String error) {
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

    /**
     * Re-checks a topic for several callers in one round trip ({@code realtime.authorize_groups},
     * which runs realtime.authorize, the join's own check, for each). The callers must differ by
     * role or claims (one per group) and none may be service_role. Verdicts are in the callers' order.
     */
    List<Verdict> authorizeGroups(String subTopic, List<Caller> callers) throws SQLException {
        ArrayNode groups = JsonNodeFactory.instance.arrayNode();
        for (Caller caller : callers) {
            groups.addObject().put("role", caller.role()).put("claims", caller.claimsJson()).put("sub", caller.sub());
        }
        List<Verdict> out = new ArrayList<>(callers.size());
        for (int i = 0; i < callers.size(); i++) out.add(null);
        try (Connection c = requestPool.getConnection()) {
            c.setAutoCommit(false);
            try {
                RequestTransactions.setCaller(c, SERVICE);
                try (PreparedStatement st = c.prepareStatement("select idx, broadcast_read, presence_read, broadcast_write, "
                        + "presence_write, error from realtime.authorize_groups(?, ?::jsonb)")) {
                    st.setString(1, subTopic);
                    st.setString(2, groups.toString());
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            String error = rs.getString(6);
                            out.set(rs.getInt(1), error != null ? new Verdict(null, error)
                                    : new Verdict(new Permissions(rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4), rs.getBoolean(5)), null));
                        }
                    }
                }
            } finally {
                c.rollback();
            }
        }
        return out;
    }
}
