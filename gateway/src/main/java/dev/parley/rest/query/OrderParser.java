package dev.parley.rest.query;

import java.util.ArrayList;
import java.util.List;

/** Parses {@code order=a.desc.nullslast,b->c,d.asc}. */
public final class OrderParser {
    private OrderParser() {
    }

    public static List<OrderTerm> parse(String order) {
        Cursor in = new Cursor("order parameter", order);
        List<OrderTerm> terms = new ArrayList<>();
        do {
            Field field = in.field(".,()");
            if (in.startsWith("(")) throw in.error("ordering by an embedded resource's column is not supported");
            boolean descending = false;
            Boolean nullsFirst = null;
            while (in.accept(".")) {
                String word = in.name(".,");
                switch (word) {
                    case "asc" -> descending = false;
                    case "desc" -> descending = true;
                    case "nullsfirst" -> nullsFirst = true;
                    case "nullslast" -> nullsFirst = false;
                    default -> throw in.error("unexpected \"" + word + "\" expecting asc, desc, nullsfirst or nullslast");
                }
            }
            terms.add(new OrderTerm(field, descending, nullsFirst));
        } while (in.accept(","));
        if (!in.atEnd()) throw in.error("unexpected \"" + in.peek() + "\" expecting \",\" or end of input");
        return terms;
    }
}
