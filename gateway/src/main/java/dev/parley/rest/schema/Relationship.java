package dev.parley.rest.schema;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How an embedded resource relates to its parent, through a foreign key (either way) or through a
 * junction table holding a key to each.
 *
 * @param fromParent for a direct key: true when the key is on the parent (many-to-one),
 *                   false when it is on the target (one-to-many)
 * @param junction   the junction of a many-to-many, else null; {@code foreignKey} then goes from
 *                   the junction to the parent and {@code junctionKey} from the junction to the target
 */
public record Relationship(Cardinality cardinality, Relation parent, Relation target, ForeignKey foreignKey,
                           boolean fromParent, Relation junction, ForeignKey junctionKey) {

    public enum Cardinality {
        MANY_TO_ONE("many-to-one"), ONE_TO_ONE("one-to-one"), ONE_TO_MANY("one-to-many"), MANY_TO_MANY("many-to-many");

        private final String label;

        Cardinality(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** An embed of a to-one relationship is an object (or null), otherwise an array. */
    public boolean toOne() {
        return cardinality == Cardinality.MANY_TO_ONE || cardinality == Cardinality.ONE_TO_ONE;
    }

    /** The hint that picks this relationship when several match: the key's (or junction's) name. */
    public String hintName() {
        return junction != null ? junction.name().name() : foreignKey.name();
    }

    /** The entry PostgREST lists for an ambiguous embed (PGRST201). */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cardinality", cardinality.label());
        m.put("embedding", parent.name().name() + " with " + target.name().name());
        if (junction != null) {
            m.put("relationship", junction.name().name() + " using " + foreignKey.name() + "(" + String.join(", ", foreignKey.fromColumns())
                    + ") and " + junctionKey.name() + "(" + String.join(", ", junctionKey.fromColumns()) + ")");
        } else {
            m.put("relationship", foreignKey.name() + " using " + foreignKey.from().name() + "(" + String.join(", ", foreignKey.fromColumns())
                    + ") and " + foreignKey.to().name() + "(" + String.join(", ", foreignKey.toColumns()) + ")");
        }
        return m;
    }
}
