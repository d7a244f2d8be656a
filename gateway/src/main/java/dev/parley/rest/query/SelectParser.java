package dev.parley.rest.query;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the {@code select} parameter: {@code *}, {@code alias:column->json->>path::cast}, and
 * embeds {@code alias:target!hint!inner(...)} nested up to {@link #MAX_DEPTH} deep.
 */
public final class SelectParser {
    private static final String STOPS = ",():!.";

    private SelectParser() {
    }

    public static List<SelectItem> parse(String select) {
        Cursor in = new Cursor("select parameter", select);
        List<SelectItem> items = items(in, 0);
        if (!in.atEnd()) throw in.error("unexpected \"" + in.peek() + "\" expecting \",\" or end of input");
        return items;
    }

    /** Embeds nest at most this deep; deeper selects only serve to exhaust the parser or the planner. */
    static final int MAX_DEPTH = 16;

    private static List<SelectItem> items(Cursor in, int depth) {
        List<SelectItem> items = new ArrayList<>();
        in.skipBlanks();
        if (in.atEnd() || in.peek() == ')') return items;
        do {
            items.add(item(in, depth));
            in.skipBlanks();
        } while (in.accept(","));
        return items;
    }

    private static SelectItem item(Cursor in, int depth) {
        in.skipBlanks();
        if (in.accept("*")) return new SelectItem.Star();
        boolean spread = in.accept("...");
        String alias = null;
        Field field = in.field(STOPS);
        if (field.path().isEmpty() && in.startsWith(":") && !in.startsWith("::")) {
            in.expect(":");
            alias = field.column();
            field = in.field(STOPS);
        }
        if (field.path().isEmpty() && (in.startsWith("!") || in.startsWith("("))) {
            return embed(in, field.column(), alias, spread, depth + 1);
        }
        if (spread) throw in.error("a spread (...) needs an embedded resource");
        String cast = null;
        if (in.accept("::")) cast = castType(in);
        return new SelectItem.ColumnItem(field, alias, cast);
    }

    private static SelectItem embed(Cursor in, String target, String alias, boolean spread, int depth) {
        if (depth > MAX_DEPTH) throw in.error("embedded resources nest at most " + MAX_DEPTH + " levels deep");
        String hint = null;
        SelectItem.JoinType join = SelectItem.JoinType.LEFT;
        while (in.accept("!")) {
            String word = in.name(STOPS);
            if (word.equals("inner")) join = SelectItem.JoinType.INNER;
            else if (word.equals("left")) join = SelectItem.JoinType.LEFT;
            else if (hint == null) hint = word;
            else throw in.error("an embed takes one hint, got a second: \"" + word + "\"");
        }
        in.expect("(");
        List<SelectItem> children = items(in, depth);
        in.expect(")");
        return new SelectItem.Embed(target, alias, hint, join, children, spread);
    }

    /** A type name for {@code ::cast}: letters, digits, underscores, blanks and a trailing []. */
    static String castType(Cursor in) {
        int start = in.position();
        String type = in.name(",()");
        if (!type.matches("[A-Za-z_][A-Za-z0-9_ ]*(\\[\\])?")) {
            throw ParseError.at("select parameter", type, start, "not a type name: \"" + type + "\"");
        }
        return type;
    }
}
