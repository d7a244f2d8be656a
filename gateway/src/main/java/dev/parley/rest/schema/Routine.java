package dev.parley.rest.schema;

import java.util.List;

/**
 * A function callable at /rest/v1/rpc/{name}.
 *
 * @param inputs       the IN, INOUT and VARIADIC parameters in order
 * @param resultType   the return type as format_type prints it (a set's element type)
 * @param resultColumns the columns of a composite or TABLE/OUT result; empty for a scalar
 * @param returnsSet   SETOF or TABLE
 * @param volatility   pg_proc.provolatile: i immutable, s stable, v volatile
 */
public record Routine(QualifiedName name, List<Parameter> inputs, String resultType, List<Column> resultColumns,
                      boolean returnsSet, char volatility, String description) {

    /** One input parameter; unnamed ones have an empty name. */
    public record Parameter(String name, String type, boolean hasDefault, boolean variadic) {
    }

    public boolean returnsComposite() {
        return !resultColumns.isEmpty();
    }

    public boolean returnsVoid() {
        return resultType.equals("void");
    }

    /** A function taking one unnamed json/jsonb parameter receives the whole request body. */
    public boolean takesSingleJsonBody() {
        return inputs.size() == 1 && inputs.get(0).name().isEmpty()
                && (inputs.get(0).type().equals("json") || inputs.get(0).type().equals("jsonb"));
    }

    public Column resultColumn(String column) {
        for (Column c : resultColumns) if (c.name().equals(column)) return c;
        return null;
    }
}
