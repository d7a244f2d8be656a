package dev.parley.rest.read;

import dev.parley.rest.query.Field;
import dev.parley.rest.sql.Sql;

/** The SQL of a field: a qualified column, then its JSON path with keys as bound values. */
public final class Expressions {
    private Expressions() {
    }

    public static Sql field(String alias, Source source, Field field) {
        source.column(field.column());
        Sql sql = new Sql().ident(alias).raw(".").ident(field.column());
        for (Field.JsonStep step : field.path()) {
            sql.raw(step.asText() ? "->>" : "->");
            if (step.isIndex()) sql.number(Long.parseLong(step.key())).raw("::int");
            else sql.typedValue(step.key(), "text");
        }
        return sql;
    }
}
