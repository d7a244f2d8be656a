package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A postgres_changes {@code filter}: PostgREST-style conditions {@code column=op.value}, several
 * joined by commas and combined with AND, as realtime-js's filter builder writes them. Operators:
 * eq neq lt lte gt gte in is like ilike match imatch isdistinct, each optionally negated with
 * {@code not.}. Values containing {@code , ( ) " \} are double-quoted with backslash escapes.
 *
 * <p>Evaluated in the gateway against the row's JSON, so a filter costs no SQL. Comparison: numbers
 * numerically when both sides are numbers, booleans as booleans, everything else as text (ISO
 * timestamps and uuids compare correctly as text). A SQL NULL matches only {@code is.null}.
 */
final class ChangeFilter {
    private static final List<String> OPS = List.of("eq", "neq", "lt", "lte", "gt", "gte", "in", "is", "like", "ilike",
            "match", "imatch", "isdistinct");

    record Condition(String column, String op, boolean negate, List<String> values, Pattern pattern) {
        boolean test(JsonNode row) {
            JsonNode v = row == null ? null : row.get(column);
            boolean r = evaluate(v == null ? null : v);
            return negate != r;
        }

        private boolean evaluate(JsonNode v) {
            boolean isNull = v == null || v.isNull();
            String lit = values.get(0);
            switch (op) {
                case "is":
                    return switch (lit) {
                        case "null" -> isNull;
                        case "true" -> !isNull && v.isBoolean() && v.asBoolean();
                        case "false" -> !isNull && v.isBoolean() && !v.asBoolean();
                        default -> isNull; // unknown: a NULL boolean
                    };
                case "isdistinct":
                    if (isNull) return !lit.equals("null");
                    return lit.equals("null") || compare(v, lit) != 0;
                default:
                    break;
            }
            if (isNull) return false;
            return switch (op) {
                case "eq" -> compare(v, lit) == 0;
                case "neq" -> compare(v, lit) != 0;
                case "lt" -> compare(v, lit) < 0;
                case "lte" -> compare(v, lit) <= 0;
                case "gt" -> compare(v, lit) > 0;
                case "gte" -> compare(v, lit) >= 0;
                case "in" -> values.stream().anyMatch(x -> compare(v, x) == 0);
                case "like", "ilike", "match", "imatch" -> pattern.matcher(text(v)).find();
                default -> false;
            };
        }
    }

    private final List<Condition> conditions;

    private ChangeFilter(List<Condition> conditions) {
        this.conditions = conditions;
    }

    List<Condition> conditions() {
        return conditions;
    }

    boolean test(JsonNode row) {
        for (Condition c : conditions) {
            if (!c.test(row)) return false;
        }
        return true;
    }

    static ChangeFilter parse(String filter) throws JoinConfig.InvalidJoin {
        List<Condition> out = new ArrayList<>();
        if (filter == null || filter.isBlank()) return new ChangeFilter(out);
        for (String part : splitTop(filter)) {
            int eq = part.indexOf('=');
            if (eq <= 0) throw bad(filter, "expected column=operator.value");
            String column = part.substring(0, eq).trim();
            String rest = part.substring(eq + 1);
            boolean negate = false;
            if (rest.startsWith("not.")) {
                negate = true;
                rest = rest.substring(4);
            }
            int dot = rest.indexOf('.');
            if (dot <= 0) throw bad(filter, "expected column=operator.value");
            String op = rest.substring(0, dot).toLowerCase(Locale.ROOT);
            String value = rest.substring(dot + 1);
            if (!OPS.contains(op)) throw bad(filter, "unknown operator '" + op + "' (use one of " + String.join(", ", OPS) + ")");
            List<String> values;
            if (op.equals("in")) {
                if (!value.startsWith("(") || !value.endsWith(")")) throw bad(filter, "in takes a list: column=in.(a,b)");
                values = new ArrayList<>();
                for (String v : splitTop(value.substring(1, value.length() - 1))) values.add(unquote(v.trim()));
                if (values.isEmpty()) throw bad(filter, "in needs at least one value");
            } else {
                values = List.of(unquote(value));
            }
            if (op.equals("is") && !List.of("null", "true", "false", "unknown").contains(values.get(0).toLowerCase(Locale.ROOT))) {
                throw bad(filter, "is takes null, true, false or unknown");
            }
            if (op.equals("is")) values = List.of(values.get(0).toLowerCase(Locale.ROOT));
            Pattern pattern = switch (op) {
                case "like" -> Pattern.compile(likeToRegex(values.get(0)), Pattern.DOTALL);
                case "ilike" -> Pattern.compile(likeToRegex(values.get(0)), Pattern.DOTALL | Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
                case "match", "imatch" -> {
                    try {
                        yield Pattern.compile(values.get(0), op.equals("imatch") ? Pattern.CASE_INSENSITIVE : 0);
                    } catch (java.util.regex.PatternSyntaxException e) {
                        throw bad(filter, "not a regular expression: " + e.getDescription());
                    }
                }
                default -> null;
            };
            out.add(new Condition(column, op, negate, List.copyOf(values), pattern));
        }
        return new ChangeFilter(List.copyOf(out));
    }

    private static JoinConfig.InvalidJoin bad(String filter, String why) {
        return new JoinConfig.InvalidJoin("invalid postgres_changes filter '" + filter + "': " + why);
    }

    /** Splits on commas outside double quotes and parentheses. */
    private static List<String> splitTop(String s) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\' && i + 1 < s.length()) {
                cur.append(c).append(s.charAt(++i));
                continue;
            }
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == '(') depth++;
            else if (!quoted && c == ')') depth--;
            if (c == ',' && !quoted && depth == 0) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0 || !parts.isEmpty()) parts.add(cur.toString());
        return parts;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            StringBuilder b = new StringBuilder();
            for (int i = 1; i < v.length() - 1; i++) {
                char c = v.charAt(i);
                if (c == '\\' && i + 1 < v.length() - 1) c = v.charAt(++i);
                b.append(c);
            }
            return b.toString();
        }
        return v;
    }

    private static String likeToRegex(String like) {
        StringBuilder b = new StringBuilder("^");
        for (char c : like.toCharArray()) {
            if (c == '%' || c == '*') b.append(".*");
            else if (c == '_') b.append('.');
            else b.append(Pattern.quote(String.valueOf(c)));
        }
        return b.append('$').toString();
    }

    private static String text(JsonNode v) {
        return v.isValueNode() ? v.asText() : v.toString();
    }

    static int compare(JsonNode v, String literal) {
        if (v.isNumber()) {
            try {
                return v.decimalValue().compareTo(new BigDecimal(literal));
            } catch (NumberFormatException e) {
                return text(v).compareTo(literal);
            }
        }
        if (v.isBoolean()) {
            String l = literal.toLowerCase(Locale.ROOT);
            if (l.equals("true") || l.equals("t")) return v.asBoolean() ? 0 : -1;
            if (l.equals("false") || l.equals("f")) return v.asBoolean() ? 1 : 0;
        }
        return text(v).compareTo(literal);
    }
}
