package dev.parley.rest.sql;

import dev.parley.db.BoundStatement;
import org.postgresql.util.PGobject;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL text with its bound values, built in text order so that each {@code ?} meets its value.
 * Identifiers enter only through {@link #ident} (quoted; the callers take them from the schema
 * cache); values only through {@link #value} and friends, never as text.
 */
public final class Sql implements BoundStatement {
    private final StringBuilder text = new StringBuilder();
    private final List<Object> values = new ArrayList<>();

    /** A value sent with no type, so Postgres infers it from its use, as a literal would be. */
    private record Untyped(String text) {
    }

    public static Sql of(String raw) {
        return new Sql().raw(raw);
    }

    /** Appends trusted SQL text: keywords, operators, quoted identifiers, catalog expressions. */
    public Sql raw(String raw) {
        text.append(raw);
        return this;
    }

    public Sql ident(String identifier) {
        text.append(quote(identifier));
        return this;
    }

    /** A value whose type Postgres infers from where it is used (a column, an operator). */
    public Sql value(String value) {
        text.append('?');
        values.add(new Untyped(value));
        return this;
    }

    /** A value of a known SQL type: {@code ?::type}, the type from the catalog. */
    public Sql typedValue(String value, String type) {
        value(value);
        text.append("::").append(type);
        return this;
    }

    public Sql number(long value) {
        text.append('?');
        values.add(value);
        return this;
    }

    public Sql append(Sql other) {
        text.append(other.text);
        values.addAll(other.values);
        return this;
    }

    /** Appends the parts separated by {@code separator}. */
    public Sql join(String separator, List<Sql> parts) {
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) text.append(separator);
            append(parts.get(i));
        }
        return this;
    }

    public boolean isEmpty() {
        return text.length() == 0;
    }

    @Override
    public String text() {
        return text.toString();
    }

    public int valueCount() {
        return values.size();
    }

    public PreparedStatement bind(PreparedStatement st) throws SQLException {
        bind(st, 1);
        return st;
    }

    @Override
    public void bind(PreparedStatement st, int first) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (v instanceof Untyped u) {
                st.setObject(first + i, unknown(u.text));
            } else if (v instanceof Long n) {
                st.setLong(first + i, n);
            } else {
                throw new IllegalStateException("unbindable value " + v);
            }
        }
    }

    /**
     * A value declared to Postgres as of type {@code unknown}, which it resolves from the
     * value's use exactly as a parameter sent without a type. The difference is pgjdbc's: a
     * parameter without a type (setObject with Types.OTHER) makes it describe the statement once
     * it is server-prepared, and a described statement whose result size has no bound (text, json)
     * makes it split a multi-statement pipeline with a Sync of its own: a second round trip for
     * {@code RequestTransactions.single}.
     */
    private static PGobject unknown(String text) throws SQLException {
        PGobject o = new PGobject();
        o.setType("unknown");
        o.setValue(text);
        return o;
    }

    @Override
    public String toString() {
        return text + " " + values;
    }

    /** A quoted identifier: {@code "name"} with embedded quotes doubled. */
    public static String quote(String identifier) {
        if (identifier.indexOf('\0') >= 0) throw new IllegalArgumentException("NUL in identifier");
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
