package dev.parley.rest.schema;

import dev.parley.rest.sql.Sql;

/** A schema-qualified relation or function name, as found in the catalog. */
public record QualifiedName(String schema, String name) {

    /** The quoted SQL form, {@code "schema"."name"}. */
    public String sql() {
        return Sql.quote(schema) + "." + Sql.quote(name);
    }

    @Override
    public String toString() {
        return schema + "." + name;
    }
}
