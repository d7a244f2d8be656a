package dev.parley.rest.schema;

/**
 * A column of a relation (or of a function's result) as the catalog describes it.
 *
 * @param type         the type as format_type prints it, e.g. {@code text}, {@code integer[]}
 * @param defaultExpr  the default as SQL (pg_get_expr), null when none; trusted catalog text
 * @param generated    a generated or identity-always column, which inserts must not name
 */
public record Column(String name, String type, boolean nullable, String defaultExpr, boolean generated,
                     int position, String description) {

    public boolean isJson() {
        return type.equals("json") || type.equals("jsonb");
    }
}
