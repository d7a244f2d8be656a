package dev.parley.rest.schema;

import java.util.LinkedHashMap;
import java.util.List;
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
        m.put("embedding", parent.name().name() + " with " + target.name().name());
        m.put("cardinality", cardinality.label());
        if (junction != null) {
            m.put("relationship", junction.name().name() + " using " + foreignKey.name() + columns(foreignKey.fromColumns())
                    + " and " + junctionKey.name() + columns(junctionKey.fromColumns()));
        } else {
            // PostgREST names the parent's side first, whichever table holds the key.
            List<String> parentColumns = fromParent ? foreignKey.fromColumns() : foreignKey.toColumns();
            List<String> targetColumns = fromParent ? foreignKey.toColumns() : foreignKey.fromColumns();
            m.put("relationship", foreignKey.name() + " using " + parent.name().name() + columns(parentColumns)
                    + " and " + target.name().name() + columns(targetColumns));
        }
        return m;
    }

    private static String columns(List<String> names) {
        return "(" + String.join(", ", names) + ")";
    }
}
