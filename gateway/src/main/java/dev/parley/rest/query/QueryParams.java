package dev.parley.rest.query;

import dev.parley.http.ApiError;

import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The query string of a /rest/v1 request, sorted into {@code select}, the write parameters
 * ({@code columns}, {@code on_conflict}), function arguments (RPC over GET), and per resource
 * (the top one, or an embed named by a dotted path such as {@code messages.reactions}) its
 * filters, logic trees, order, limit and offset.
 */
public final class QueryParams {
    private static final List<String> IGNORED = List.of("apikey");

    private String select = "*";
    private List<String> columns;
    private List<String> onConflict;
    private final Map<String, String> arguments = new LinkedHashMap<>();
    private final Map<List<String>, Scope> scopes = new LinkedHashMap<>();

    /** What applies to one resource of the result. */
    public static final class Scope {
        private final List<Condition> conditions = new ArrayList<>();
        private List<OrderTerm> order = List.of();
        private Long limit;
        private Long offset;

        public List<Condition> conditions() {
            return conditions;
        }

        public List<OrderTerm> order() {
            return order;
        }

        public Long limit() {
            return limit;
        }

        public Long offset() {
            return offset;
        }

        public Scope withPaging(Long limit, Long offset) {
            Scope s = new Scope();
            s.conditions.addAll(conditions);
            s.order = order;
            s.limit = limit;
            s.offset = offset;
            return s;
        }
    }

    private QueryParams() {
    }

    /**
     * Sorts the decoded query parameters. {@code isArgument} tells which plain keys are function
     * arguments (RPC over GET); for tables it answers false.
     */
    public static QueryParams parse(Map<String, Deque<String>> params, Predicate<String> isArgument) {
        QueryParams q = new QueryParams();
        for (Map.Entry<String, Deque<String>> e : params.entrySet()) {
            for (String value : e.getValue()) q.add(e.getKey(), value, isArgument);
        }
        return q;
    }

    private void add(String key, String value, Predicate<String> isArgument) {
        if (IGNORED.contains(key)) return;
        switch (key) {
            case "select" -> {
                select = value;
                return;
            }
            case "columns" -> {
                columns = names("columns", value);
                return;
            }
            case "on_conflict" -> {
                onConflict = names("on_conflict", value);
                return;
            }
            default -> { }
        }
        if (isArgument.test(key)) {
            arguments.put(key, value);
            return;
        }
        int arrow = key.indexOf("->");
        String head = arrow < 0 ? key : key.substring(0, arrow);
        String tail = arrow < 0 ? "" : key.substring(arrow);
        List<String> parts = new ArrayList<>(List.of(head.split("\\.", -1)));
        for (String p : parts) {
            if (p.isEmpty()) throw ApiError.badRequest("PGRST100", "\"failed to parse query parameter (" + key + ")\"", "empty name between dots");
        }
        String last = parts.remove(parts.size() - 1) + tail;
        boolean negated = false;
        if ((last.equals("or") || last.equals("and")) && !parts.isEmpty() && parts.get(parts.size() - 1).equals("not")) {
            parts.remove(parts.size() - 1);
            negated = true;
        }
        Scope scope = scopes.computeIfAbsent(List.copyOf(parts), k -> new Scope());
        switch (last) {
            case "order" -> scope.order = OrderParser.parse(value);
            // A negative top-level limit is PostgREST's 416 (see Paging), not a parse error.
            case "limit" -> scope.limit = integer("limit", value, parts.isEmpty());
            case "offset" -> scope.offset = integer("offset", value, false);
            case "or", "and" -> scope.conditions.add(FilterParser.parseLogic(last.equals("or"), negated, value));
            default -> scope.conditions.add(FilterParser.parseFilter(last, value));
        }
    }

    private static long integer(String name, String value, boolean negativeAllowed) {
        try {
            long n = Long.parseLong(value.trim());
            if (n >= 0 || negativeAllowed) return n;
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiError.badRequest("PGRST100", "\"failed to parse " + name + " parameter (" + value + ")\"",
                name + " must be a non-negative integer");
    }

    private static List<String> names(String param, String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.split(",", -1)) {
            String name = s.trim();
            if (name.startsWith("\"") && name.endsWith("\"") && name.length() >= 2) name = name.substring(1, name.length() - 1);
            if (name.isEmpty()) {
                throw ApiError.badRequest("PGRST100", "\"failed to parse " + param + " parameter (" + value + ")\"",
                        "empty column name");
            }
            out.add(name);
        }
        return out;
    }

    public String select() {
        return select;
    }

    /** The {@code columns} parameter, or null. */
    public List<String> columns() {
        return columns;
    }

    /** The {@code on_conflict} parameter, or null. */
    public List<String> onConflict() {
        return onConflict;
    }

    public Map<String, String> arguments() {
        return arguments;
    }

    /** The scope of the resource at {@code path} (empty = the top one); never null. */
    public Scope scope(List<String> path) {
        return scopes.getOrDefault(path, new Scope());
    }

    /** Every path that has parameters, so that parameters naming no embed can be refused. */
    public java.util.Set<List<String>> paths() {
        return scopes.keySet();
    }
}
