package dev.parley.realtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What postgres_changes needs to know of a table: its columns with their type names (the
 * {@code columns} of the payload, which realtime-js uses to convert values), primary key, whether
 * RLS is on, whether old rows are fully captured (REPLICA IDENTITY FULL), and which roles may
 * SELECT it. Read lazily; dropped whenever DDL runs (the event trigger of V10 notifies
 * {@code parley_realtime_schema}), so psql changes take effect without a restart.
 */
final class Tables {
    record Info(String schema, String name, String qualified, List<String> columns, ArrayNode columnsJson,
                List<String> primaryKey, boolean rls, boolean replicaFull) {
    }

    private final DataSource admin;
    private final Map<String, Optional<Info>> cache = new ConcurrentHashMap<>();
    private final Map<String, Boolean> canSelect = new ConcurrentHashMap<>();

    Tables(DataSource admin) {
        this.admin = admin;
    }

    void invalidate() {
        cache.clear();
        canSelect.clear();
    }

    /** The table, or empty when it does not exist (database thread). */
    Optional<Info> get(String schema, String table) throws SQLException {
        String k = schema + "." + table;
        Optional<Info> hit = cache.get(k);
        if (hit != null) return hit;
        Optional<Info> loaded = load(schema, table);
        cache.put(k, loaded);
        return loaded;
    }

    private Optional<Info> load(String schema, String table) throws SQLException {
        String sql = "select c.oid::regclass::text, c.relrowsecurity, c.relreplident = 'f', a.attname, t.typname, "
                + "coalesce(a.attnum = any(i.indkey), false) "
                + "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                + "join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped "
                + "join pg_type t on t.oid = a.atttypid "
                + "left join pg_index i on i.indrelid = c.oid and i.indisprimary "
                + "where n.nspname = ? and c.relname = ? and c.relkind in ('r', 'p') order by a.attnum";
        try (Connection c = admin.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, schema);
            st.setString(2, table);
            try (ResultSet rs = st.executeQuery()) {
                String qualified = null;
                boolean rls = false;
                boolean full = false;
                List<String> cols = new ArrayList<>();
                List<String> pk = new ArrayList<>();
                ArrayNode json = JsonNodeFactory.instance.arrayNode();
                while (rs.next()) {
                    qualified = rs.getString(1);
                    rls = rs.getBoolean(2);
                    full = rs.getBoolean(3);
                    cols.add(rs.getString(4));
                    json.addObject().put("name", rs.getString(4)).put("type", rs.getString(5));
                    if (rs.getBoolean(6)) pk.add(rs.getString(4));
                }
                if (qualified == null) return Optional.empty();
                return Optional.of(new Info(schema, table, qualified, List.copyOf(cols), json, List.copyOf(pk), rls, full));
            }
        }
    }

    /** Whether {@code role} has SELECT on the table (cached until the next DDL). */
    boolean canSelect(String role, Info table) throws SQLException {
        String k = role + "\u0000" + table.qualified();
        Boolean hit = canSelect.get(k);
        if (hit != null) return hit;
        boolean ok;
        try (Connection c = admin.getConnection();
             PreparedStatement st = c.prepareStatement(
                     "select exists (select from pg_roles where rolname = ?) and has_table_privilege(?, ?::regclass, 'SELECT')")) {
            st.setString(1, role);
            st.setString(2, role);
            st.setString(3, table.qualified());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                ok = rs.getBoolean(1);
            }
        } catch (SQLException e) {
            if ("42704".equals(e.getSQLState())) ok = false; // role does not exist
            else throw e;
        }
        canSelect.put(k, ok);
        return ok;
    }
}
