package dev.parley.rest.schema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A table, view, materialized view or foreign table of an exposed schema. */
public final class Relation {
    private final QualifiedName name;
    private final char kind;
    private final Map<String, Column> columns = new LinkedHashMap<>();
    private final List<String> primaryKey;
    private final String description;

    public Relation(QualifiedName name, char kind, List<Column> columns, List<String> primaryKey, String description) {
        this.name = name;
        this.kind = kind;
        for (Column c : columns) this.columns.put(c.name(), c);
        this.primaryKey = List.copyOf(primaryKey);
        this.description = description;
    }

    public QualifiedName name() {
        return name;
    }

    /** pg_class.relkind: r table, p partitioned table, v view, m materialized view, f foreign table. */
    public char kind() {
        return kind;
    }

    public boolean isView() {
        return kind == 'v' || kind == 'm';
    }

    public Column column(String column) {
        return columns.get(column);
    }

    public boolean hasColumn(String column) {
        return columns.containsKey(column);
    }

    public List<Column> columns() {
        return List.copyOf(columns.values());
    }

    public List<String> primaryKey() {
        return primaryKey;
    }

    public String description() {
        return description;
    }
}
