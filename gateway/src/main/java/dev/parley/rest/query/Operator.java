package dev.parley.rest.query;

import java.util.Locale;

/** PostgREST's filter operators and the SQL each becomes. */
public enum Operator {
    EQ("="), NEQ("<>"), GT(">"), GTE(">="), LT("<"), LTE("<="),
    LIKE("like"), ILIKE("ilike"), MATCH("~"), IMATCH("~*"),
    IN("in"), IS("is"), ISDISTINCT("is distinct from"),
    FTS("to_tsquery"), PLFTS("plainto_tsquery"), PHFTS("phraseto_tsquery"), WFTS("websearch_to_tsquery"),
    CS("@>"), CD("<@"), OV("&&"), SL("<<"), SR(">>"), NXR("&<"), NXL("&>"), ADJ("-|-");

    private final String sql;

    Operator(String sql) {
        this.sql = sql;
    }

    /** The SQL operator, or the tsquery function of the fts family. */
    public String sql() {
        return sql;
    }

    public boolean isTextSearch() {
        return this == FTS || this == PLFTS || this == PHFTS || this == WFTS;
    }

    /** Operators that take {@code (any)} / {@code (all)}: a list compared element by element. */
    public boolean isQuantifiable() {
        return this == EQ || this == NEQ || this == GT || this == GTE || this == LT || this == LTE
                || this == LIKE || this == ILIKE || this == MATCH || this == IMATCH;
    }

    /** The operator of a name as written in a query string, or null. */
    public static Operator named(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
