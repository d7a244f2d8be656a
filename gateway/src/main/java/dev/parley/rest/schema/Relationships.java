package dev.parley.rest.schema;

import dev.parley.http.ApiError;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Finds the relationship an embed means, as PostgREST does: by the target's name (a relation of
 * the parent's schema), else by a foreign key's name or the parent's key column; a hint (a key
 * name, a key column or a junction name) narrows several candidates to one.
 */
public final class Relationships {
    private Relationships() {
    }

    public static Relationship resolve(SchemaSnapshot schema, Relation parent, String target, String hint) {
        List<Relationship> candidates;
        Relation targetRelation = schema.relation(new QualifiedName(parent.name().schema(), target));
        if (targetRelation != null) {
            candidates = between(schema, parent, targetRelation);
        } else {
            candidates = byKeyOrColumn(schema, parent, target);
        }
        if (hint != null) {
            candidates = candidates.stream().filter(r -> matchesHint(r, hint)).toList();
        }
        if (candidates.size() == 1) return candidates.get(0);
        if (candidates.isEmpty()) {
            throw new ApiError(400, "PGRST200",
                    "Could not find a relationship between '" + parent.name().name() + "' and '" + target + "' in the schema cache",
                    "Searched for a foreign key relationship between '" + parent.name().name() + "' and '" + target
                            + (hint == null ? "" : "' using the hint '" + hint)
                            + "' in the schema '" + parent.name().schema() + "', but no matches were found.", null);
        }
        throw ambiguous(parent, target, candidates);
    }

    private static ApiError ambiguous(Relation parent, String target, List<Relationship> candidates) {
        List<Map<String, Object>> details = candidates.stream().map(Relationship::describe).toList();
        List<String> options = candidates.stream().map(r -> "'" + target + "!" + r.hintName() + "'").toList();
        return new AmbiguousEmbed(
                "Could not embed because more than one relationship was found for '" + parent.name().name() + "' and '" + target + "'",
                details, "Try changing '" + target + "' to one of the following: " + String.join(", ", options)
                        + ". Find the desired relationship in the 'details' key.");
    }

    /** PGRST201: its details are a list of candidates, not a string. */
    public static final class AmbiguousEmbed extends ApiError {
        private final List<Map<String, Object>> candidates;

        AmbiguousEmbed(String message, List<Map<String, Object>> candidates, String hint) {
            super(300, "PGRST201", message, null, hint);
            this.candidates = candidates;
        }

        @Override
        public Map<String, Object> body() {
            Map<String, Object> body = super.body();
            body.put("details", candidates);
            return body;
        }
    }

    static List<Relationship> between(SchemaSnapshot schema, Relation parent, Relation target) {
        List<Relationship> out = new ArrayList<>();
        for (ForeignKey fk : schema.foreignKeys()) {
            if (fk.from().equals(parent.name()) && fk.to().equals(target.name())) {
                out.add(direct(parent, target, fk, true));
            }
            if (fk.from().equals(target.name()) && fk.to().equals(parent.name()) && !parent.name().equals(target.name())) {
                out.add(direct(parent, target, fk, false));
            }
        }
        // A self-reference is both ways: children (one-to-many) as well as the referenced row.
        for (ForeignKey fk : schema.foreignKeys()) {
            if (fk.from().equals(parent.name()) && fk.to().equals(parent.name()) && parent.name().equals(target.name())) {
                out.add(direct(parent, target, fk, false));
            }
        }
        for (Relation junction : schema.relations()) {
            if (junction.name().equals(parent.name()) || junction.name().equals(target.name())) continue;
            for (ForeignKey toParent : schema.foreignKeys()) {
                if (!toParent.from().equals(junction.name()) || !toParent.to().equals(parent.name())) continue;
                for (ForeignKey toTarget : schema.foreignKeys()) {
                    if (toTarget == toParent || !toTarget.from().equals(junction.name()) || !toTarget.to().equals(target.name())) continue;
                    if (inKey(junction, toParent) && inKey(junction, toTarget)) {
                        out.add(new Relationship(Relationship.Cardinality.MANY_TO_MANY, parent, target, toParent, false,
                                junction, toTarget));
                    }
                }
            }
        }
        return out;
    }

    private static List<Relationship> byKeyOrColumn(SchemaSnapshot schema, Relation parent, String name) {
        List<Relationship> out = new ArrayList<>();
        for (ForeignKey fk : schema.foreignKeys()) {
            boolean named = fk.name().equals(name);
            boolean byColumn = fk.fromColumns().size() == 1 && fk.fromColumns().get(0).equals(name);
            if (fk.from().equals(parent.name()) && (named || byColumn)) {
                Relation target = schema.relation(fk.to());
                if (target != null) out.add(direct(parent, target, fk, true));
            } else if (fk.to().equals(parent.name()) && named) {
                Relation target = schema.relation(fk.from());
                if (target != null) out.add(direct(parent, target, fk, false));
            }
        }
        return out;
    }

    private static Relationship direct(Relation parent, Relation target, ForeignKey fk, boolean fromParent) {
        Relation keyHolder = fromParent ? parent : target;
        boolean unique = !keyHolder.primaryKey().isEmpty()
                && new HashSet<>(keyHolder.primaryKey()).equals(new HashSet<>(fk.fromColumns()));
        Relationship.Cardinality cardinality = unique ? Relationship.Cardinality.ONE_TO_ONE
                : fromParent ? Relationship.Cardinality.MANY_TO_ONE : Relationship.Cardinality.ONE_TO_MANY;
        return new Relationship(cardinality, parent, target, fk, fromParent, null, null);
    }

    /** A junction's keys must be part of its primary key, as PostgREST requires. */
    private static boolean inKey(Relation junction, ForeignKey fk) {
        return junction.primaryKey().containsAll(fk.fromColumns());
    }

    private static boolean matchesHint(Relationship r, String hint) {
        if (r.parent().name().equals(r.target().name()) && r.junction() == null) {
            // A self-reference: the key column names the referenced row (many-to-one), the key's
            // name the referencing rows (one-to-many), as in PostgREST's examples.
            return r.fromParent() ? r.foreignKey().fromColumns().contains(hint) : r.foreignKey().name().equals(hint);
        }
        if (r.foreignKey().name().equals(hint)) return true;
        if (r.junction() != null) {
            return r.junction().name().name().equals(hint) || r.junctionKey().name().equals(hint);
        }
        return r.foreignKey().fromColumns().contains(hint) || r.foreignKey().toColumns().contains(hint);
    }
}
