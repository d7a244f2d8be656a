package dev.parley.rest.query;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the {@code select} parameter: {@code *}, {@code alias:column->json->>path::cast}, and
 * embeds {@code alias:target!hint!inner(...)} nested to any depth.
 */
public final class SelectParser {
    private static final String STOPS = ",():!.";

    private SelectParser() {
    }

    public static List<SelectItem> parse(String select) {
        Cursor in = new Cursor("select parameter", select);
        List<SelectItem> items = items(in);
        if (!in.atEnd()) throw in.error("unexpected \"" + in.peek() + "\" expecting \",\" or end of input");
        return items;
    }

    private static List<SelectItem> items(Cursor in) {
        List<SelectItem> items = new ArrayList<>();
        in.skipBlanks();
        if (in.atEnd() || in.peek() == ')') return items;
        do {
            items.add(item(in));
            in.skipBlanks();
        } while (in.accept(","));
        return items;
    }

    private static SelectItem item(Cursor in) {
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
            return embed(in, field.column(), alias, spread);
        }
        if (spread) throw in.error("a spread (...) needs an embedded resource");
        String cast = null;
        if (in.accept("::")) cast = castType(in);
        return new SelectItem.ColumnItem(field, alias, cast);
    }

    private static SelectItem embed(Cursor in, String target, String alias, boolean spread) {
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
        List<SelectItem> children = items(in);
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
