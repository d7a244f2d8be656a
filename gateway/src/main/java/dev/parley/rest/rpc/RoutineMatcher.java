package dev.parley.rest.rpc;

import dev.parley.http.ApiError;
import dev.parley.rest.schema.QualifiedName;
import dev.parley.rest.schema.Routine;
import dev.parley.rest.schema.SchemaSnapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Picks the overload of a function that a request calls, as PostgREST does: by the names of the
 * arguments given (every required parameter named, the others optional, nothing unknown), else
 * a function with one unnamed parameter that takes the whole body (json/jsonb for JSON, text,
 * xml, bytea for the raw types). None: 404 PGRST202 with a hint; several: 300 PGRST203.
 */
public final class RoutineMatcher {
    private static final double NAME_HINT_SCORE = 0.75;
    private static final double PARAMS_HINT_SCORE = 0.33;

    private RoutineMatcher() {
    }

    /**
     * @param singleObject {@code Prefer: params=single-object} (PostgREST 12): the body goes whole
     *                     to a function whose only parameter is json or jsonb, named or not
     */
    public static Routine find(SchemaSnapshot snapshot, QualifiedName name, RpcArguments args, boolean singleObject) {
        List<Routine> overloads = snapshot.routines(name).stream().filter(RoutineMatcher::callable).toList();
        List<Routine> byName = new ArrayList<>();
        List<Routine> fallbacks = new ArrayList<>();
        for (Routine r : overloads) {
            if (matches(r, args, singleObject)) byName.add(r);
            else if (takesWholeBody(r, args)) fallbacks.add(r);
        }
        if (byName.size() == 1) return byName.get(0);
        if (byName.size() > 1) throw ambiguous(byName);
        if (fallbacks.size() == 1) return fallbacks.get(0);
        if (fallbacks.size() > 1) throw ambiguous(fallbacks);
        throw notFound(snapshot, name, args, overloads);
    }

    /**
     * Whether a function can be called over HTTP at all, as PostgREST decides which it exposes:
     * not a trigger function, and every parameter named except possibly a single one of a type a
     * whole body can fill (json, jsonb, text, xml, bytea). OpenAPI lists the same ones.
     */
    public static boolean callable(Routine r) {
        if (r.resultType().equals("trigger")) return false;
        List<Routine.Parameter> unnamed = r.inputs().stream().filter(p -> p.name().isEmpty()).toList();
        if (unnamed.isEmpty()) return true;
        if (unnamed.size() > 1) return false;
        return List.of("bytea", "json", "jsonb", "text", "xml").contains(unnamed.get(0).type());
    }

    /** A function with a single unnamed parameter of the type the body's Content-Type carries. */
    private static boolean takesWholeBody(Routine r, RpcArguments args) {
        if (r.inputs().size() != 1 || !r.inputs().get(0).name().isEmpty()) return false;
        String type = r.inputs().get(0).type();
        return switch (args.bodyType()) {
            case JSON -> type.equals("json") || type.equals("jsonb");
            case TEXT -> type.equals("text");
            case XML -> type.equals("xml");
            case OCTET_STREAM -> type.equals("bytea");
            default -> false;
        };
    }

    private static boolean matches(Routine r, RpcArguments args, boolean singleObject) {
        List<Routine.Parameter> params = r.inputs();
        if (singleObject && args.bodyType() == RpcArguments.BodyType.JSON) {
            return params.size() == 1 && (params.get(0).type().equals("json") || params.get(0).type().equals("jsonb"));
        }
        Set<String> keys = args.keys();
        if (params.isEmpty()) {
            boolean rawBody = args.bodyType() == RpcArguments.BodyType.TEXT || args.bodyType() == RpcArguments.BodyType.XML
                    || args.bodyType() == RpcArguments.BodyType.OCTET_STREAM;
            return keys.isEmpty() && !rawBody;
        }
        Set<String> required = new HashSet<>();
        Set<String> optional = new HashSet<>();
        for (Routine.Parameter p : params) (p.hasDefault() ? optional : required).add(p.name());
        Set<String> rest = new HashSet<>(keys);
        rest.removeAll(optional);
        return rest.equals(required);
    }

    private static ApiError ambiguous(List<Routine> candidates) {
        List<Routine> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.<Routine>comparingInt(r -> r.inputs().size()).thenComparing(RoutineMatcher::signature));
        String list = sorted.stream().map(RoutineMatcher::signature).collect(Collectors.joining(", "));
        return new ApiError(300, "PGRST203", "Could not choose the best candidate function between: " + list, null,
                "Try renaming the parameters or the function itself in the database so function overloading can be resolved");
    }

    /** {@code schema.fn(a => integer, b => text)}, as PostgREST lists candidates. */
    private static String signature(Routine r) {
        return r.name() + "(" + r.inputs().stream().map(p -> p.name() + " => " + p.type())
                .collect(Collectors.joining(", ")) + ")";
    }

    private static ApiError notFound(SchemaSnapshot snapshot, QualifiedName name, RpcArguments args, List<Routine> overloads) {
        String fn = name.toString();
        String keys = String.join(", ", args.keys());
        boolean rawOnly = switch (args.bodyType()) {
            case TEXT, XML, OCTET_STREAM -> true;
            default -> false;
        };
        String withParams = args.keys().isEmpty() ? " without parameters"
                : " with parameter" + (args.keys().size() > 1 ? "s " : " ") + keys;
        String message = "Could not find the function " + fn
                + (rawOnly ? "" : args.keys().isEmpty() ? " without parameters" : "(" + keys + ")") + " in the schema cache";
        String searched = switch (args.bodyType()) {
            case TEXT -> " with a single unnamed text parameter";
            case XML -> " with a single unnamed xml parameter";
            case OCTET_STREAM -> " with a single unnamed bytea parameter";
            case JSON -> withParams + " or with a single unnamed json/jsonb parameter";
            default -> withParams;
        };
        String details = "Searched for the function " + fn + searched + ", but no matches were found in the schema cache.";
        String hint = rawOnly ? null : hint(snapshot, name, args, overloads);
        return new ApiError(404, "PGRST202", message, details, hint);
    }

    /** "Perhaps you meant": a close function name, or when the name exists, a close parameter list. */
    private static String hint(SchemaSnapshot snapshot, QualifiedName name, RpcArguments args, List<Routine> overloads) {
        String prefix = "Perhaps you meant to call the function " + name.schema() + ".";
        if (overloads.isEmpty()) {
            Set<String> names = new TreeSet<>();
            for (Routine r : snapshot.routinesOf(name.schema())) if (callable(r)) names.add(r.name().name());
            String close = Fuzzy.closest(name.name(), names, NAME_HINT_SCORE);
            return close == null ? null : prefix + close;
        }
        List<String> lists = new ArrayList<>();
        for (Routine r : overloads) lists.add(paramList(r.inputs().stream().map(Routine.Parameter::name).toList()));
        String close = Fuzzy.closest(paramList(List.copyOf(args.keys())), lists, PARAMS_HINT_SCORE);
        return close == null ? null : prefix + name.name() + close;
    }

    private static String paramList(List<String> names) {
        return "(" + String.join(", ", new TreeSet<>(names)) + ")";
    }
}
