package dev.parley.rest.query;

import java.util.List;

/** One entry of the {@code select} parameter. */
public sealed interface SelectItem {

    /** {@code *}: every column. */
    record Star() implements SelectItem {
    }

    /** {@code alias:field::cast}; alias and cast may be null. */
    record ColumnItem(Field field, String alias, String cast) implements SelectItem {
        public String outputName() {
            return alias != null ? alias : field.defaultName();
        }
    }

    /**
     * {@code alias:target!hint!inner(children)}: a related resource. {@code target} names a
     * relation (or a foreign key or column, resolved later); {@code spread} is {@code ...target(...)}.
     */
    record Embed(String target, String alias, String hint, JoinType join, List<SelectItem> children, boolean spread)
            implements SelectItem {
        public Embed {
            children = List.copyOf(children);
        }

        /** The name its query parameters and its key in the result use. */
        public String outputName() {
            return alias != null ? alias : target;
        }
    }

    enum JoinType { LEFT, INNER }
}
