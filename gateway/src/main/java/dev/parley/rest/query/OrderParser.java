package dev.parley.rest.query;

import java.util.ArrayList;
import java.util.List;

/** Parses {@code order=a.desc.nullslast,b->c,d.asc,author(name).desc}. */
public final class OrderParser {
    private OrderParser() {
    }

    public static List<OrderTerm> parse(String order) {
        Cursor in = new Cursor("order parameter", order);
        List<OrderTerm> terms = new ArrayList<>();
        do {
            Field field = in.field(".,()");
            String relation = null;
            if (in.accept("(")) {
                // embed(column): a related order
                if (!field.path().isEmpty()) throw in.error("a related order names an embedded resource, not a JSON path");
                relation = field.column();
                field = in.field(".,()");
                in.expect(")");
            }
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
            terms.add(new OrderTerm(relation, field, descending, nullsFirst));
        } while (in.accept(","));
        if (!in.atEnd()) throw in.error("unexpected \"" + in.peek() + "\" expecting \",\" or end of input");
        return terms;
    }
}
