package dev.parley.rest.query;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses filters: a query parameter {@code column=[not.]op.value}, and logic trees
 * {@code or=(a.eq.1,and(b.gt.2,c.is.null))}. Values inside trees may be double-quoted to hold
 * commas, dots and parentheses.
 */
public final class FilterParser {
    private FilterParser() {
    }

    /** {@code key=value} where key is a field: the value is {@code [not.]op[(mod)].operand}. */
    public static Condition.Filter parseFilter(String key, String value) {
        Cursor k = new Cursor("filter", key);
        Field field = k.field(".,()");
        if (!k.atEnd()) throw k.error("unexpected \"" + k.peek() + "\" in the column of a filter");
        Cursor in = new Cursor("filter", value);
        Condition.Filter filter = filter(in, field, false);
        // A list ends the value: anything after `in.(1,2)` would otherwise be silently dropped.
        if (!in.atEnd()) throw in.error("unexpected \"" + in.peek() + "\" expecting end of input");
        return filter;
    }

    /** Deeper logic trees are refused: they only serve to exhaust the parser or the planner. */
    static final int MAX_DEPTH = 32;

    /** The value of an {@code or}/{@code and} parameter: {@code (cond,cond,...)}. */
    public static Condition.Logic parseLogic(boolean or, boolean negated, String value) {
        Cursor in = new Cursor("logic tree", value);
        Condition.Logic logic = new Condition.Logic(or, negated, group(in, 1));
        if (!in.atEnd()) throw in.error("unexpected \"" + in.peek() + "\" after the closing parenthesis");
        return logic;
    }

    private static List<Condition> group(Cursor in, int depth) {
        if (depth > MAX_DEPTH) throw in.error("logic trees nest at most " + MAX_DEPTH + " levels deep");
        in.expect("(");
        List<Condition> children = new ArrayList<>();
        do {
            children.add(condition(in, depth));
        } while (in.accept(","));
        in.expect(")");
        return children;
    }

    private static Condition condition(Cursor in, int depth) {
        in.skipBlanks();
        boolean negated = in.accept("not.");
        if (in.startsWith("or(") || in.startsWith("and(")) {
            boolean or = in.accept("or");
            if (!or) in.expect("and");
            return new Condition.Logic(or, negated, group(in, depth + 1));
        }
        if (negated) throw in.error("\"not.\" here must be followed by and(...) or or(...)");
        Field field = in.field(".,()");
        in.expect(".");
        return filter(in, field, true);
    }

    /** {@code [not.]op[(mod)].operand}; in a tree the operand ends at a top-level , or ). */
    private static Condition.Filter filter(Cursor in, Field field, boolean inTree) {
        boolean negated = in.accept("not.");
        int opStart = in.position();
        String opName = in.name(".(,)");
        Operator op = Operator.named(opName);
        if (op == null) {
            throw in.errorAt(opStart, "unexpected \"" + opName.charAt(0) + "\" expecting \"not\" or operator (eq, gt, ...)");
        }
        String modifier = null;
        if (in.accept("(")) {
            modifier = in.name(")");
            in.expect(")");
            if (op.isTextSearch()) {
                if (!modifier.matches("[A-Za-z_][A-Za-z0-9_]*")) throw in.error("not a text search configuration: " + modifier);
            } else if (op.isQuantifiable()) {
                if (!modifier.equals("any") && !modifier.equals("all")) throw in.error("expecting (any) or (all)");
            } else {
                throw in.error("operator " + opName + " takes no modifier");
            }
        }
        in.expect(".");
        List<String> values;
        if (op == Operator.IN || modifier != null && !op.isTextSearch()) {
            values = list(in);
        } else {
            values = List.of(operand(in, inTree));
        }
        if (op == Operator.IS) checkIsValue(in, values.get(0));
        return new Condition.Filter(field, negated, op, modifier, values);
    }

    private static void checkIsValue(Cursor in, String value) {
        switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "null", "not_null", "true", "false", "unknown" -> { }
            default -> throw in.error("is. takes null, not_null, true, false or unknown, not \"" + value + "\"");
        }
    }

    /** The operand of a plain filter is the rest; in a tree it may be quoted and ends at , or ). */
    private static String operand(Cursor in, boolean inTree) {
        if (!inTree) return in.rest();
        if (!in.atEnd() && in.peek() == '"') return quoted(in);
        StringBuilder b = new StringBuilder();
        int depth = 0;
        while (!in.atEnd()) {
            char c = in.peek();
            if (depth == 0 && (c == ',' || c == ')')) break;
            if (c == '(' || c == '{' || c == '[') depth++;
            if (c == ')' || c == '}' || c == ']') depth--;
            b.append(c);
            in.accept(String.valueOf(c));
        }
        return b.toString();
    }

    /** {@code (a,"b,c",d)} or {@code {a,b}}: the elements of a list, quotes removed. */
    private static List<String> list(Cursor in) {
        String close = in.accept("{") ? "}" : null;
        if (close == null) {
            in.expect("(");
            close = ")";
        }
        char end = close.charAt(0);
        List<String> values = new ArrayList<>();
        if (in.accept(close)) return values;
        do {
            if (!in.atEnd() && in.peek() == '"') {
                values.add(quoted(in));
            } else {
                StringBuilder b = new StringBuilder();
                while (!in.atEnd() && in.peek() != ',' && in.peek() != end) {
                    b.append(in.peek());
                    in.accept(String.valueOf(in.peek()));
                }
                values.add(b.toString());
            }
        } while (in.accept(","));
        in.expect(close);
        return values;
    }

    /** A double-quoted value; backslash escapes the next character. */
    private static String quoted(Cursor in) {
        in.expect("\"");
        StringBuilder b = new StringBuilder();
        while (true) {
            if (in.atEnd()) throw in.error("unterminated quoted value");
            char c = in.peek();
            in.accept(String.valueOf(c));
            if (c == '\\') {
                if (in.atEnd()) throw in.error("unterminated quoted value");
                char next = in.peek();
                in.accept(String.valueOf(next));
                b.append(next);
            } else if (c == '"') {
                return b.toString();
            } else {
                b.append(c);
            }
        }
    }
}
