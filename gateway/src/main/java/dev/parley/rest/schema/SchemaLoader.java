package dev.parley.rest.schema;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads a {@link SchemaSnapshot} of the exposed schemas from the catalog. */
final class SchemaLoader {
    private SchemaLoader() {
    }

    private static final String RELATIONS = """
            select c.oid, n.nspname, c.relname, c.relkind, obj_description(c.oid, 'pg_class')
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p', 'v', 'm', 'f') and n.nspname = any(?)
            order by n.nspname, c.relname""";

    /** Columns of relations in the schemas and of every composite type (function results). */
    private static final String COLUMNS = """
            select a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), not a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid), a.attgenerated <> '' or a.attidentity = 'a', a.attnum,
                   col_description(a.attrelid, a.attnum)
            from pg_attribute a
            join pg_class c on c.oid = a.attrelid
            join pg_namespace n on n.oid = c.relnamespace
            left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
            where a.attnum > 0 and not a.attisdropped
              and (n.nspname = any(?)
                   or c.oid in (select t.typrelid from pg_proc p join pg_namespace pn on pn.oid = p.pronamespace
                                join pg_type t on t.oid = p.prorettype where pn.nspname = any(?)))
            order by a.attrelid, a.attnum""";

    private static final String PRIMARY_KEYS = """
            select con.conrelid, a.attname
            from pg_constraint con
            join pg_namespace n on n.oid = con.connamespace
            cross join lateral unnest(con.conkey) with ordinality k(attnum, ord)
            join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
            where con.contype = 'p' and n.nspname = any(?)
            order by con.conrelid, k.ord""";

    private static final String FOREIGN_KEYS = """
            select con.conname, fn.nspname, fc.relname, tn.nspname, tc.relname,
                   array(select a.attname from unnest(con.conkey) with ordinality k(n, o)
                         join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.o),
                   array(select a.attname from unnest(con.confkey) with ordinality k(n, o)
                         join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.o)
            from pg_constraint con
            join pg_class fc on fc.oid = con.conrelid join pg_namespace fn on fn.oid = fc.relnamespace
            join pg_class tc on tc.oid = con.confrelid join pg_namespace tn on tn.oid = tc.relnamespace
            where con.contype = 'f' and fn.nspname = any(?) and tn.nspname = any(?)
            order by con.conname""";

    private static final String ROUTINES = """
            select n.nspname, p.proname, p.proretset, p.provolatile, format_type(p.prorettype, null),
                   t.typrelid, p.proargnames, p.proargmodes,
                   array(select format_type(x, null) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(x, o) order by o),
                   p.pronargdefaults, p.pronargs, obj_description(p.oid, 'pg_proc')
            from pg_proc p
            join pg_namespace n on n.oid = p.pronamespace
            join pg_type t on t.oid = p.prorettype
            where n.nspname = any(?) and p.prokind = 'f'
              and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
            order by n.nspname, p.proname""";

    static SchemaSnapshot load(Connection c, List<String> schemas) throws SQLException {
        Array names = c.createArrayOf("text", schemas.toArray());
        Map<Long, List<Column>> columns = columns(c, names);
        Map<Long, List<String>> primaryKeys = primaryKeys(c, names);

        List<Relation> relations = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(RELATIONS)) {
            st.setArray(1, names);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long oid = rs.getLong(1);
                    relations.add(new Relation(new QualifiedName(rs.getString(2), rs.getString(3)),
                            rs.getString(4).charAt(0), columns.getOrDefault(oid, List.of()),
                            primaryKeys.getOrDefault(oid, List.of()), rs.getString(5)));
                }
            }
        }
        return new SchemaSnapshot(schemas, relations, foreignKeys(c, names), routines(c, names, columns));
    }

    private static Map<Long, List<Column>> columns(Connection c, Array names) throws SQLException {
        Map<Long, List<Column>> out = new HashMap<>();
        try (PreparedStatement st = c.prepareStatement(COLUMNS)) {
            st.setArray(1, names);
            st.setArray(2, names);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new Column(rs.getString(2),
                            rs.getString(3), rs.getBoolean(4), rs.getString(5), rs.getBoolean(6), rs.getInt(7),
                            rs.getString(8)));
                }
            }
        }
        return out;
    }

    private static Map<Long, List<String>> primaryKeys(Connection c, Array names) throws SQLException {
        Map<Long, List<String>> out = new HashMap<>();
        try (PreparedStatement st = c.prepareStatement(PRIMARY_KEYS)) {
            st.setArray(1, names);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        return out;
    }

    private static List<ForeignKey> foreignKeys(Connection c, Array names) throws SQLException {
        List<ForeignKey> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(FOREIGN_KEYS)) {
            st.setArray(1, names);
            st.setArray(2, names);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new ForeignKey(rs.getString(1), new QualifiedName(rs.getString(2), rs.getString(3)),
                            strings(rs.getArray(6)), new QualifiedName(rs.getString(4), rs.getString(5)),
                            strings(rs.getArray(7))));
                }
            }
        }
        return out;
    }

    private static List<Routine> routines(Connection c, Array names, Map<Long, List<Column>> columns)
            throws SQLException {
        List<Routine> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(ROUTINES)) {
            st.setArray(1, names);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.add(routine(rs, columns));
            }
        }
        return out;
    }

    private static Routine routine(ResultSet rs, Map<Long, List<Column>> columns) throws SQLException {
        List<String> argNames = rs.getArray(7) == null ? List.of() : strings(rs.getArray(7));
        List<String> modes = rs.getArray(8) == null ? null : strings(rs.getArray(8));
        List<String> types = strings(rs.getArray(9));
        int defaults = rs.getInt(10);
        int inputCount = rs.getInt(11);
        List<Routine.Parameter> inputs = new ArrayList<>();
        List<Column> outColumns = new ArrayList<>();
        int inputIndex = 0;
        for (int i = 0; i < types.size(); i++) {
            String mode = modes == null ? "i" : modes.get(i);
            String name = i < argNames.size() ? argNames.get(i) : "";
            if (mode.equals("i") || mode.equals("b") || mode.equals("v")) {
                boolean hasDefault = inputIndex >= inputCount - defaults;
                inputs.add(new Routine.Parameter(name, types.get(i), hasDefault, mode.equals("v")));
                inputIndex++;
            }
            if (mode.equals("o") || mode.equals("b") || mode.equals("t")) {
                outColumns.add(new Column(name, types.get(i), true, null, false, outColumns.size() + 1, null));
            }
        }
        String resultType = rs.getString(5);
        long typeRelation = rs.getLong(6);
        List<Column> resultColumns;
        // Any OUT, INOUT or TABLE column makes the result rows, even a single one (as PostgREST:
        // {"num_plus_one": 6}, not 6).
        if (!outColumns.isEmpty()) {
            resultColumns = outColumns;
        } else if (typeRelation != 0) {
            resultColumns = columns.getOrDefault(typeRelation, List.of());
        } else {
            resultColumns = List.of();
        }
        return new Routine(new QualifiedName(rs.getString(1), rs.getString(2)), inputs, resultType, resultColumns,
                rs.getBoolean(3), rs.getString(4).charAt(0), rs.getString(12));
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }
}
