package dev.parley.rest.sql;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL text with its bound values, built in text order so that each {@code ?} meets its value.
 * Identifiers enter only through {@link #ident} (quoted; the callers take them from the schema
 * cache); values only through {@link #value} and friends, never as text.
 */
public final class Sql {
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

    public String text() {
        return text.toString();
    }

    public int valueCount() {
        return values.size();
    }

    public PreparedStatement bind(PreparedStatement st) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (v instanceof Untyped u) {
                st.setObject(i + 1, u.text, Types.OTHER);
            } else if (v instanceof Long n) {
                st.setLong(i + 1, n);
            } else {
                throw new IllegalStateException("unbindable value " + v);
            }
        }
        return st;
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
