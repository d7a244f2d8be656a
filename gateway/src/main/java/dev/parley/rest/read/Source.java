package dev.parley.rest.read;

import dev.parley.http.ApiError;
import dev.parley.rest.schema.Column;
import dev.parley.rest.schema.Relation;
import dev.parley.rest.sql.Sql;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a query reads from: a relation, or a function call's result (RPC). {@code relation} is
 * set when the rows are a relation's, which is what makes embedding possible.
 *
 * @param label how errors name it, e.g. {@code messages}
 */
public record Source(String label, Sql from, Map<String, Column> columns, Relation relation) {

    public static Source of(Relation relation) {
        return new Source(relation.name().name(), Sql.of(relation.name().sql()), byName(relation.columns()), relation);
    }

    public static Map<String, Column> byName(List<Column> columns) {
        Map<String, Column> m = new LinkedHashMap<>();
        for (Column c : columns) m.put(c.name(), c);
        return m;
    }

    /** The column, or PostgREST's 42703 for a name the source does not have. */
    public Column column(String name) {
        Column c = columns.get(name);
        if (c == null) {
            throw new ApiError(400, "42703", "column " + label + "." + name + " does not exist");
        }
        return c;
    }
}
