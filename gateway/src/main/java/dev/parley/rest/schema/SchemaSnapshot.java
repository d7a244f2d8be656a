package dev.parley.rest.schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the REST API knows of the exposed schemas at one moment: relations, foreign keys and
 * functions. Immutable; the {@link SchemaCache} swaps in a new one after DDL.
 */
public final class SchemaSnapshot {
    private final List<String> schemas;
    private final Map<QualifiedName, Relation> relations = new LinkedHashMap<>();
    private final List<ForeignKey> foreignKeys;
    private final Map<QualifiedName, List<Routine>> routines = new LinkedHashMap<>();

    public SchemaSnapshot(List<String> schemas, List<Relation> relations, List<ForeignKey> foreignKeys,
                          List<Routine> routines) {
        this.schemas = List.copyOf(schemas);
        for (Relation r : relations) this.relations.put(r.name(), r);
        this.foreignKeys = List.copyOf(foreignKeys);
        for (Routine r : routines) this.routines.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(r);
    }

    /** The exposed schemas, the default (first) one first. */
    public List<String> schemas() {
        return schemas;
    }

    public Relation relation(QualifiedName name) {
        return relations.get(name);
    }

    public List<Relation> relations() {
        return List.copyOf(relations.values());
    }

    public List<Relation> relationsOf(String schema) {
        return relations.values().stream().filter(r -> r.name().schema().equals(schema)).toList();
    }

    public List<ForeignKey> foreignKeys() {
        return foreignKeys;
    }

    /** Every overload of a function name. */
    public List<Routine> routines(QualifiedName name) {
        return routines.getOrDefault(name, List.of());
    }

    public List<Routine> routinesOf(String schema) {
        return routines.values().stream().flatMap(List::stream).filter(r -> r.name().schema().equals(schema)).toList();
    }
}
