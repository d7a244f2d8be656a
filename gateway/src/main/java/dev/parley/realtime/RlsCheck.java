package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.auth.Caller;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which subscribers' RLS lets them SELECT a row: one SQL round trip per event whatever the number of
 * subscribers. Subscribers with identical claims form one group and are checked once
 * ({@code realtime.visible_to} runs each group as its role and claims, in its own subtransaction,
 * on a request connection logged in as authenticator, then rolls back). service_role bypasses
 * RLS and is never checked. A group whose check fails (a policy that raises) gets the error,
 * reported on its channels only; a role without the SELECT privilege simply does not see the row.
 */
final class RlsCheck {
    record Verdict(boolean visible, String error) {
        static final Verdict VISIBLE = new Verdict(true, null);
    }

    private final DataSource requestPool;

    RlsCheck(DataSource requestPool) {
        this.requestPool = requestPool;
    }

    Map<ChannelSession, Verdict> check(Tables.Info table, JsonNode row, Collection<ChannelSession> candidates) throws SQLException {
        Map<ChannelSession, Verdict> out = new HashMap<>();
        Map<String, List<ChannelSession>> groups = new LinkedHashMap<>();
        Map<String, Caller> callers = new HashMap<>();
        for (ChannelSession c : candidates) {
            Caller caller = c.caller;
            if (caller.isServiceRole()) {
                out.put(c, Verdict.VISIBLE);
                continue;
            }
            String k = caller.role() + "\u0000" + caller.claimsJson();
            groups.computeIfAbsent(k, x -> new ArrayList<>()).add(c);
            callers.putIfAbsent(k, caller);
        }
        if (groups.isEmpty()) return out;
        if (table.primaryKey().isEmpty()) {
            Verdict v = new Verdict(false, "table " + table.qualified() + " has no primary key, so RLS cannot be checked for its changes");
            groups.values().forEach(l -> l.forEach(c -> out.put(c, v)));
            return out;
        }
        ObjectNode key = JsonNodeFactory.instance.objectNode();
        for (String col : table.primaryKey()) key.set(col, row.get(col));
        ArrayNode json = JsonNodeFactory.instance.arrayNode();
        List<List<ChannelSession>> ordered = new ArrayList<>(groups.values());
        for (String k : groups.keySet()) {
            Caller caller = callers.get(k);
            json.addObject().put("role", caller.role()).put("claims", caller.claimsJson()).put("sub", caller.sub());
        }
        try (Connection c = requestPool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement("select idx, visible, error from realtime.visible_to(?::regclass, ?::jsonb, ?::jsonb)")) {
                st.setString(1, table.qualified());
                st.setString(2, key.toString());
                st.setString(3, json.toString());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        String error = rs.getString(3);
                        // no SELECT privilege: the row is simply not theirs to see
                        Verdict v = error != null && error.startsWith("42501")
                                ? new Verdict(false, null) : new Verdict(rs.getBoolean(2), error);
                        for (ChannelSession ch : ordered.get(rs.getInt(1))) out.put(ch, v);
                    }
                }
            } finally {
                c.rollback();
            }
        }
        return out;
    }
}
