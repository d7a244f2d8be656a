package dev.parley.rest.rpc;

import dev.parley.rest.read.Source;
import dev.parley.rest.schema.Column;
import dev.parley.rest.schema.QualifiedName;
import dev.parley.rest.schema.Relation;
import dev.parley.rest.schema.Routine;
import dev.parley.rest.schema.SchemaSnapshot;
import dev.parley.rest.sql.Sql;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The SQL of a function call, as a WITH clause whose {@code _rpc} table holds the result: the
 * rows of a set or composite function, or one {@code pgrst_scalar} column for a scalar one. The
 * read of the request (select, filters, order, paging, count) then reads {@code _rpc}, so the
 * function runs exactly once however many times the statement refers to its result.
 *
 * <p>Arguments are passed by name ({@code "a" := ...}) so defaults fill in the rest. Each value is
 * bound: query and form values as text cast to the parameter's catalog type; a JSON body once,
 * as the json parameter of {@code json_to_record}, whose column list (names and types from the
 * catalog) converts each key, arrays and objects included.
 */
public final class FunctionCall {
    /** The name the result takes inside the statement. */
    static final String RESULT = "_rpc";
    public static final String SCALAR = "pgrst_scalar";

    private final Routine routine;
    private final Sql with;
    private final Source source;

    private FunctionCall(Routine routine, Sql with, Source source) {
        this.routine = routine;
        this.with = with;
        this.source = source;
    }

    public static FunctionCall of(SchemaSnapshot snapshot, Routine routine, RpcArguments args, boolean singleObject) {
        List<Routine.Parameter> params = routine.inputs();
        Sql with = new Sql().raw("with ");
        Sql call;
        boolean positional = params.size() == 1 && (params.get(0).name().isEmpty()
                || singleObject && args.bodyType() == RpcArguments.BodyType.JSON);
        if (positional) {
            call = invoke(routine, wholeBody(params.get(0), args), false);
        } else {
            List<Routine.Parameter> given = params.stream().filter(p -> args.keys().contains(p.name())).toList();
            if (given.isEmpty()) {
                call = invoke(routine, new Sql(), false);
            } else if (args.direct() != null) {
                call = invoke(routine, directArguments(given, args.direct()), false);
            } else {
                with.append(jsonArguments(given, args.json())).raw(", ");
                List<Sql> named = new ArrayList<>();
                for (Routine.Parameter p : given) {
                    named.add(new Sql().raw(p.variadic() ? "variadic " : "").ident(p.name()).raw(" := _args.").ident(p.name()));
                }
                call = invoke(routine, new Sql().join(", ", named), true);
            }
        }
        with.raw(RESULT + " as (").append(call).raw(") ");
        return new FunctionCall(routine, with, source(snapshot, routine));
    }

    /**
     * {@code select _c.* from fn(...) as _c} for row results, {@code select fn(...) as pgrst_scalar}
     * for scalars (a set of scalars then gives one row per element); {@code fromArgs} when the
     * arguments are columns of {@code _args}.
     */
    private static Sql invoke(Routine routine, Sql arguments, boolean fromArgs) {
        Sql fn = new Sql().raw(routine.name().sql()).raw("(").append(arguments).raw(")");
        if (routine.returnsComposite()) {
            return new Sql().raw(fromArgs ? "select _c.* from _args, lateral " : "select _c.* from ").append(fn).raw(" as _c");
        }
        return new Sql().raw("select ").append(fn).raw(" as " + SCALAR).raw(fromArgs ? " from _args" : "");
    }

    /** The one positional argument: the JSON document, text, XML or bytes of the body. */
    private static Sql wholeBody(Routine.Parameter p, RpcArguments args) {
        String type = bindType(p.type());
        if (args.raw() != null) {
            if (type.equals("bytea")) return new Sql().typedValue("\\x" + HexFormat.of().formatHex(args.raw()), "bytea");
            return new Sql().typedValue(new String(args.raw(), java.nio.charset.StandardCharsets.UTF_8), type);
        }
        String json = args.json();
        if (json == null) json = dev.parley.http.Json.write(firstValues(args.direct()));
        return new Sql().typedValue(json, type);
    }

    private static Map<String, String> firstValues(Map<String, List<String>> direct) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        direct.forEach((k, v) -> out.put(k, v.get(v.size() - 1)));
        return out;
    }

    /**
     * {@code "a" := ?::integer}; a variadic parameter gets every value given for it as one array,
     * any other the last value (PostgREST's rule for repeated query parameters).
     */
    private static Sql directArguments(List<Routine.Parameter> given, Map<String, List<String>> values) {
        List<Sql> out = new ArrayList<>();
        for (Routine.Parameter p : given) {
            List<String> v = values.get(p.name());
            Sql arg = new Sql().raw(p.variadic() ? "variadic " : "").ident(p.name()).raw(" := ");
            if (p.variadic()) arg.typedValue(arrayLiteral(v), bindType(p.type()));
            else arg.typedValue(v.get(v.size() - 1), bindType(p.type()));
            out.add(arg);
        }
        return new Sql().join(", ", out);
    }

    /**
     * {@code _args as (select * from json_to_record(?::json) as _("a" integer, ...))}, or
     * json_to_recordset's first row for an array body (PostgREST calls with the first object).
     */
    private static Sql jsonArguments(List<Routine.Parameter> given, String json) {
        boolean object = json.stripLeading().startsWith("{");
        List<Sql> columns = new ArrayList<>();
        for (Routine.Parameter p : given) columns.add(new Sql().ident(p.name()).raw(" ").raw(bindType(p.type())));
        Sql sql = new Sql().raw("_args as (select * from ").raw(object ? "json_to_record(" : "json_to_recordset(")
                .typedValue(json, "json").raw(") as _(").join(", ", columns).raw(")");
        if (!object) sql.raw(" limit 1");
        return sql.raw(")");
    }

    /**
     * The type to convert an argument to: the parameter's, except that fixed-length character
     * and bit types become their varying forms so a value is neither padded nor refused for its
     * length (a parameter's declared length is not enforced by Postgres anyway).
     */
    static String bindType(String type) {
        return switch (type) {
            case "character", "bpchar" -> "character varying";
            case "character[]", "bpchar[]", "_bpchar" -> "character varying[]";
            case "bit" -> "bit varying";
            case "bit[]" -> "bit varying[]";
            default -> type;
        };
    }

    /** A Postgres array literal with every element quoted, so commas and braces are data. */
    private static String arrayLiteral(List<String> values) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) b.append(',');
            b.append('"').append(values.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return b.append('}').toString();
    }

    /**
     * What the read stage reads: the result's columns, and for a function returning a table's
     * row type that table (named after the type in the function's schema, as PostgREST), so the
     * rows can embed related tables.
     */
    private static Source source(SchemaSnapshot snapshot, Routine routine) {
        String label = routine.name().name();
        if (!routine.returnsComposite()) {
            Column scalar = new Column(SCALAR, routine.resultType(), true, null, false, 1, null);
            return new Source(label, Sql.of(RESULT), Source.byName(List.of(scalar)), null);
        }
        Relation table = snapshot.relation(new QualifiedName(routine.name().schema(), typeName(routine.resultType())));
        if (table != null && !sameColumns(table, routine)) table = null;
        return new Source(label, Sql.of(RESULT), Source.byName(routine.resultColumns()), table);
    }

    private static boolean sameColumns(Relation table, Routine routine) {
        List<String> a = table.columns().stream().map(Column::name).toList();
        List<String> b = routine.resultColumns().stream().map(Column::name).toList();
        return a.equals(b);
    }

    /** The unqualified, unquoted name in format_type's output: {@code api."My Type"} gives {@code My Type}. */
    static String typeName(String formatted) {
        String last = formatted;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < formatted.length(); i++) {
            char c = formatted.charAt(i);
            if (c == '"') quoted = !quoted;
            else if (c == '.' && !quoted) start = i + 1;
        }
        last = formatted.substring(start);
        if (last.length() >= 2 && last.startsWith("\"") && last.endsWith("\"")) {
            last = last.substring(1, last.length() - 1).replace("\"\"", "\"");
        }
        return last;
    }

    public Routine routine() {
        return routine;
    }

    /** The WITH clause defining the call's result; the read's statement follows it. */
    public Sql with() {
        return with;
    }

    public Source source() {
        return source;
    }
}
