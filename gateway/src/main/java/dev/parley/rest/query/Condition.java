package dev.parley.rest.query;

import java.util.List;

/** A filter or a tree of filters combined with and/or, each possibly negated. */
public sealed interface Condition {

    /**
     * {@code field=[not.]operator[(modifier)].value}. The modifier is the text search language of
     * fts operators or the {@code any}/{@code all} quantifier; {@code values} holds the list of
     * {@code in} (and of quantified operators), otherwise the single value.
     */
    record Filter(Field field, boolean negated, Operator operator, String modifier, List<String> values)
            implements Condition {
        public Filter {
            values = List.copyOf(values);
        }

        public String value() {
            return values.get(0);
        }
    }

    /** {@code [not.]or=(...)} / {@code [not.]and=(...)} and their nested forms. */
    record Logic(boolean or, boolean negated, List<Condition> children) implements Condition {
        public Logic {
            children = List.copyOf(children);
        }
    }
}
