package dev.parley.rest.read;

import dev.parley.http.ApiError;
import dev.parley.rest.query.Condition;
import dev.parley.rest.query.Operator;
import dev.parley.rest.schema.Column;
import dev.parley.rest.sql.Sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns filters and logic trees into a WHERE condition; every operand is a bound value. */
public final class FilterSql {
    private FilterSql() {
    }

    public static Sql condition(String alias, Source source, Condition condition) {
        return condition(alias, source, condition, Map.of());
    }

    /**
     * As above; {@code embedded} maps the names of the embeds of this level to an expression that
     * is null when a row has no related row, so that {@code embed=is.null} / {@code not.is.null}
     * (alone or in a logic tree) filter on the presence of related rows, as PostgREST.
     */
    public static Sql condition(String alias, Source source, Condition condition, Map<String, Sql> embedded) {
        if (condition instanceof Condition.Logic logic) {
            List<Sql> parts = new ArrayList<>();
            for (Condition c : logic.children()) parts.add(condition(alias, source, c, embedded));
            Sql joined = new Sql().raw("(").join(logic.or() ? " or " : " and ", parts).raw(")");
            return logic.negated() ? new Sql().raw("not ").append(joined) : joined;
        }
        Condition.Filter f = (Condition.Filter) condition;
        Sql presence = f.field().path().isEmpty() && !source.columns().containsKey(f.field().column())
                ? embedded.get(f.field().column()) : null;
        Sql test = presence != null ? embedNullTest(presence, f) : filter(alias, source, f);
        return f.negated() ? new Sql().raw("not (").append(test).raw(")") : test;
    }

    private static Sql filter(String alias, Source source, Condition.Filter f) {
        Sql expr = Expressions.field(alias, source, f.field());
        Column column = source.column(f.field().column());
        Operator op = f.operator();
        Sql sql = new Sql().append(expr);
        switch (op) {
            case IS -> sql.raw(switch (f.value().toLowerCase(Locale.ROOT)) {
                case "null" -> " is null";
                case "not_null" -> " is not null";
                case "true" -> " is true";
                case "false" -> " is false";
                default -> " is unknown";
            });
            case IN -> sql.raw(" = any(").value(arrayLiteral(f.values())).raw(")");
            case ISDISTINCT -> sql.raw(" is distinct from ").value(f.value());
            case FTS, PLFTS, PHFTS, WFTS -> {
                Sql document = column.type().equals("tsvector") && f.field().path().isEmpty() ? expr
                        : textSearchDocument(expr, f.modifier());
                sql = new Sql().append(document).raw(" @@ ").raw(op.sql()).raw("(");
                if (f.modifier() != null) sql.typedValue(f.modifier(), "regconfig").raw(", ");
                sql.value(f.value()).raw(")");
            }
            case LIKE, ILIKE -> {
                if (f.modifier() != null) return quantified(sql, op, f);
                sql.raw(" " + op.sql() + " ").value(f.value().replace('*', '%'));
            }
            case OV -> sql.raw(" && ").value(column.type().endsWith("[]") && f.field().path().isEmpty()
                    ? parenthesesToArray(f.value()) : f.value());
            default -> {
                if (f.modifier() != null) return quantified(sql, op, f);
                sql.raw(" " + op.sql() + " ").value(f.value());
            }
        }
        return sql;
    }

    private static Sql embedNullTest(Sql presence, Condition.Filter f) {
        String v = f.operator() == Operator.IS ? f.value().toLowerCase(Locale.ROOT) : "";
        if (!v.equals("null") && !v.equals("not_null")) {
            throw new ApiError(400, "PGRST120", "Bad operator on the '" + f.field().column() + "' embedded resource",
                    "Only is null or not is null filters are allowed on embedded resources", null);
        }
        return new Sql().raw("(").append(presence).raw(v.equals("null") ? " is null)" : " is not null)");
    }

    /** {@code op(any).{a,b}}: compares with each element. */
    private static Sql quantified(Sql sql, Operator op, Condition.Filter f) {
        List<String> values = f.values();
        if (op == Operator.LIKE || op == Operator.ILIKE) values = values.stream().map(v -> v.replace('*', '%')).toList();
        return sql.raw(" " + op.sql() + " " + f.modifier() + "(").value(arrayLiteral(values)).raw(")");
    }

    private static Sql textSearchDocument(Sql expr, String language) {
        Sql doc = new Sql().raw("to_tsvector(");
        if (language != null) doc.typedValue(language, "regconfig").raw(", ");
        return doc.append(expr).raw(")");
    }

    /** {@code (a,b)} as PostgREST accepts for overlaps on arrays, written as {@code {a,b}}. */
    private static String parenthesesToArray(String value) {
        String v = value.trim();
        if (v.startsWith("(") && v.endsWith(")")) return "{" + v.substring(1, v.length() - 1) + "}";
        return v;
    }

    /** A Postgres array literal with every element quoted, so commas and quotes are data. */
    static String arrayLiteral(List<String> values) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) b.append(',');
            b.append('"').append(values.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return b.append('}').toString();
    }

    static ApiError unsupported(String what) {
        return ApiError.badRequest("PGRST100", what, null);
    }
}
