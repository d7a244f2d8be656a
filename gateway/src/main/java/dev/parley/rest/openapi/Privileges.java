package dev.parley.rest.openapi;

import dev.parley.rest.schema.Routine;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the caller may see of one schema, asked of Postgres inside the caller's transaction (so
 * as the caller's role), as PostgREST's default {@code openapi-mode=follow-privileges}: the
 * tables and views with any privilege (and whether they take writes), the functions it may
 * execute, the schema's comment, and the labels of enum types.
 */
record Privileges(Map<String, Writes> tables, Set<String> functions, String schemaDescription,
                  Map<String, List<String>> enums) {

    /** Whether a relation takes inserts, updates and deletes (tables always; views if updatable). */
    record Writes(boolean insertable, boolean updatable, boolean deletable) {
        boolean any() {
            return insertable || updatable || deletable;
        }
    }

    private static final String TABLES = """
            select c.relname, c.relkind in ('r', 'p') or (pg_relation_is_updatable(c.oid, true) & 8) = 8,
                   c.relkind in ('r', 'p') or (pg_relation_is_updatable(c.oid, true) & 4) = 4,
                   c.relkind in ('r', 'p') or (pg_relation_is_updatable(c.oid, true) & 16) = 16
            from pg_class c
            where c.relnamespace = (select oid from pg_namespace where nspname = ?)
              and c.relkind in ('v', 'r', 'm', 'f', 'p') and not c.relispartition
              and (pg_has_role(c.relowner, 'USAGE')
                   or has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                   or has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))""";

    /** The input types as the schema loader formats them, so a function is known by name and types. */
    private static final String FUNCTIONS = """
            select p.proname, array(select format_type(t, null) from unnest(p.proargtypes::oid[]) with ordinality u(t, o) order by o)
            from pg_proc p
            where p.pronamespace = (select oid from pg_namespace where nspname = ?)
              and p.prokind = 'f' and has_function_privilege(p.oid, 'execute')""";

    private static final String DESCRIPTION = "select obj_description(oid, 'pg_namespace') from pg_namespace where nspname = ?";

    private static final String ENUMS = """
            select format_type(t.oid, null), array_agg(e.enumlabel::text order by e.enumsortorder)
            from pg_enum e join pg_type t on t.oid = e.enumtypid group by t.oid""";

    static Privileges load(Connection c, String schema) throws SQLException {
        Map<String, Writes> tables = new HashMap<>();
        try (PreparedStatement st = c.prepareStatement(TABLES)) {
            st.setString(1, schema);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) tables.put(rs.getString(1), new Writes(rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4)));
            }
        }
        Set<String> functions = new HashSet<>();
        try (PreparedStatement st = c.prepareStatement(FUNCTIONS)) {
            st.setString(1, schema);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) functions.add(signature(rs.getString(1), strings(rs.getArray(2))));
            }
        }
        String description;
        try (PreparedStatement st = c.prepareStatement(DESCRIPTION)) {
            st.setString(1, schema);
            try (ResultSet rs = st.executeQuery()) {
                description = rs.next() ? rs.getString(1) : null;
            }
        }
        Map<String, List<String>> enums = new HashMap<>();
        try (PreparedStatement st = c.prepareStatement(ENUMS); ResultSet rs = st.executeQuery()) {
            while (rs.next()) enums.put(rs.getString(1), strings(rs.getArray(2)));
        }
        return new Privileges(tables, functions, description, enums);
    }

    boolean canExecute(Routine r) {
        return functions.contains(signature(r.name().name(), r.inputs().stream().map(Routine.Parameter::type).toList()));
    }

    private static String signature(String name, List<String> types) {
        return name + "(" + String.join(",", types) + ")";
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }
}
