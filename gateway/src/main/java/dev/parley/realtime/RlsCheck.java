package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.auth.Caller;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which subscribers' RLS lets them SELECT which rows of a batch of change events: one call of
 * {@code realtime.visible_rows} (sql/V14) per table of the batch, all on one request connection
 * (logged in as authenticator) in one transaction that is rolled back, so one round trip per
 * table whatever the number of rows and subscribers. Subscribers with identical role and claims
 * form one group, checked once for all the rows any of them needs; the function runs each group
 * as its role and claims, exactly as requests run. service_role bypasses RLS and is never
 * checked. A group whose check fails (a policy that raises) gets the error, reported on its
 * channels only; a role without the SELECT privilege simply does not see the rows.
 */
final class RlsCheck {
    record Verdict(boolean visible, String error) {
        static final Verdict VISIBLE = new Verdict(true, null);
        static final Verdict HIDDEN = new Verdict(false, null);
    }

    /**
     * The rows of one table to check: {@code rows.get(i)} is the new row of a change, checked for
     * the channels {@code candidates.get(i)}.
     */
    record Rows(Tables.Info table, List<JsonNode> rows, List<List<ChannelSession>> candidates) {
    }

    /** One claims group: its caller, the rows (indexes) any of its channels needs. */
    private static final class Group {
        final Caller caller;
        final BitSet rows = new BitSet();
        /** Rows found visible (indexes); null when failed. */
        BitSet visible;
        Verdict failed;

        Group(Caller caller) {
            this.caller = caller;
        }

        Verdict verdict(int row) {
            if (failed != null) return failed;
            return visible.get(row) ? Verdict.VISIBLE : Verdict.HIDDEN;
        }
    }

    private final DataSource requestPool;

    RlsCheck(DataSource requestPool) {
        this.requestPool = requestPool;
    }

    /**
     * The verdicts for every table of {@code tables}, in the same order: for each table, one array
     * per row, the verdict of each of that row's candidates at the candidate's index.
     */
    List<List<Verdict[]>> check(List<Rows> tables) throws SQLException {
        List<List<Verdict[]>> out = new ArrayList<>(tables.size());
        Connection c = null;
        try {
            for (Rows t : tables) {
                Map<String, Group> groups = new LinkedHashMap<>();
                Map<ChannelSession, Group> groupOf = new HashMap<>();
                for (int i = 0; i < t.rows().size(); i++) {
                    for (ChannelSession ch : t.candidates().get(i)) {
                        Group g = groupOf.get(ch);
                        if (g == null) {
                            Caller caller = ch.caller;
                            if (caller.isServiceRole()) continue;
                            g = groups.computeIfAbsent(caller.role() + "\u0000" + caller.claimsJson(), k -> new Group(caller));
                            groupOf.put(ch, g);
                        }
                        g.rows.set(i);
                    }
                }
                if (!groups.isEmpty() && t.table().primaryKey().isEmpty()) {
                    Verdict v = new Verdict(false, "table " + t.table().qualified() + " has no primary key, so RLS cannot be checked for its changes");
                    for (Group g : groups.values()) g.failed = v;
                } else if (!groups.isEmpty()) {
                    if (c == null) {
                        c = requestPool.getConnection();
                        c.setAutoCommit(false);
                    }
                    call(c, t, new ArrayList<>(groups.values()));
                }
                List<Verdict[]> verdicts = new ArrayList<>(t.rows().size());
                for (int i = 0; i < t.rows().size(); i++) {
                    List<ChannelSession> candidates = t.candidates().get(i);
                    Verdict[] row = new Verdict[candidates.size()];
                    for (int j = 0; j < row.length; j++) {
                        Group g = groupOf.get(candidates.get(j));
                        // no group: service_role, which bypasses RLS
                        row[j] = g == null ? Verdict.VISIBLE : g.verdict(i);
                    }
                    verdicts.add(row);
                }
                out.add(verdicts);
            }
            return out;
        } finally {
            if (c != null) {
                try {
                    c.rollback();
                } finally {
                    c.close();
                }
            }
        }
    }

    private static void call(Connection c, Rows t, List<Group> groups) throws SQLException {
        ArrayNode keys = JsonNodeFactory.instance.arrayNode();
        for (JsonNode row : t.rows()) {
            ObjectNode key = keys.addObject();
            for (String col : t.table().primaryKey()) key.set(col, row.get(col));
        }
        // by role: the function switches role (and Postgres re-plans the check) only when it changes
        groups.sort(Comparator.comparing(g -> g.caller.role()));
        ArrayNode json = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            StringBuilder ordinals = new StringBuilder("{");
            for (int r = g.rows.nextSetBit(0); r >= 0; r = g.rows.nextSetBit(r + 1)) {
                if (ordinals.length() > 1) ordinals.append(',');
                ordinals.append(r + 1);
            }
            json.addObject().put("role", g.caller.role()).put("claims", g.caller.claimsJson()).put("sub", g.caller.sub())
                    .put("keys", ordinals.append('}').toString());
        }
        try (PreparedStatement st = c.prepareStatement("select grp, visible, error from realtime.visible_rows(?::regclass, ?::jsonb, ?::jsonb)")) {
            st.setString(1, t.table().qualified());
            st.setString(2, keys.toString());
            st.setString(3, json.toString());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Group g = groups.get(rs.getInt(1));
                    String error = rs.getString(3);
                    g.visible = new BitSet();
                    if (error != null && !error.startsWith("42501")) {
                        g.failed = new Verdict(false, error);
                    } else if (error == null) {
                        // no SELECT privilege (42501): the rows are simply not theirs to see
                        Array a = rs.getArray(2);
                        for (Integer ordinal : (Integer[]) a.getArray()) g.visible.set(ordinal - 1);
                        a.free();
                    }
                }
            }
        }
        for (Group g : groups) {
            if (g.visible == null) throw new SQLException("realtime.visible_rows returned no verdict for a group");
        }
    }
}
