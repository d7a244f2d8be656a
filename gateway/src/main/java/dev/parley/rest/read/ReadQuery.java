package dev.parley.rest.read;

import dev.parley.http.ApiError;
import dev.parley.rest.query.Condition;
import dev.parley.rest.query.OrderTerm;
import dev.parley.rest.query.QueryParams;
import dev.parley.rest.query.SelectItem;
import dev.parley.rest.schema.Column;
import dev.parley.rest.schema.Relation;
import dev.parley.rest.schema.Relationship;
import dev.parley.rest.schema.Relationships;
import dev.parley.rest.schema.SchemaSnapshot;
import dev.parley.rest.sql.Sql;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the SQL of a read: the selected fields of one resource, its filters, order and paging,
 * and each embedded resource as a lateral subquery that aggregates its rows to JSON (an object
 * for a to-one relationship, an array otherwise), correlated through the foreign key.
 */
public final class ReadQuery {
    private final SchemaSnapshot schema;
    private final QueryParams params;
    private final Set<List<String>> usedPaths = new HashSet<>();
    /** The path an aliased embed would have under its target's name, to the path of its alias. */
    private final java.util.Map<List<String>, List<String>> aliasedPaths = new java.util.HashMap<>();
    private int aliases;

    /** One resource's parts, ready to be assembled into a query. */
    public record Node(String alias, Sql select, Sql from, List<Sql> where, Sql orderBy, Long limit, Long offset) {

        /** {@code select ... from ... where ... order by ... limit ... offset ...}. */
        public Sql query() {
            Sql q = new Sql().raw("select ").append(select).raw(" from ").append(from);
            q.append(whereClause());
            if (!orderBy.isEmpty()) q.raw(" order by ").append(orderBy);
            if (limit != null) q.raw(" limit ").number(limit);
            if (offset != null && offset > 0) q.raw(" offset ").number(offset);
            return q;
        }

        /** {@code select count(*) from ... where ...}: every row the filters let through. */
        public Sql count() {
            return new Sql().raw("select count(*) from ").append(from).append(whereClause());
        }

        public Sql whereClause() {
            if (where.isEmpty()) return new Sql();
            return new Sql().raw(" where ").join(" and ", where);
        }
    }

    public ReadQuery(SchemaSnapshot schema, QueryParams params) {
        this.schema = schema;
        this.params = params;
    }

    /** The top resource with {@code scope}'s filters (its paging possibly narrowed by a Range). */
    public Node top(Source source, List<SelectItem> items, QueryParams.Scope scope) {
        Node node = node(source, items, List.of(), scope, null);
        for (List<String> path : params.paths()) {
            if (!path.isEmpty() && !usedPaths.contains(path)) throw notEmbedded(path);
        }
        return node;
    }

    private ApiError notEmbedded(List<String> path) {
        String name = String.join(".", path);
        List<String> aliased = aliasedPaths.get(path);
        if (aliased != null) {
            return new ApiError(400, "PGRST108", "'" + name + "' is not an embedded resource in this request",
                    "Target names are not allowed in filters if they have an alias",
                    "Change '" + name + "' to '" + String.join(".", aliased) + "' in filters, orders or limits.");
        }
        return new ApiError(400, "PGRST108", "'" + name + "' is not an embedded resource in this request", null,
                "Verify that '" + name + "' is included in the 'select' query parameter.");
    }

    /** A node for the rows of {@code source}; {@code link} ties it to its parent (null at the top). */
    private Node node(Source source, List<SelectItem> items, List<String> path, QueryParams.Scope scope, Sql link) {
        String alias = "_" + aliases++;
        usedPaths.add(path);
        List<Sql> select = new ArrayList<>();
        Sql from = Sql.of("").append(source.from()).raw(" as ").ident(alias);
        List<Sql> where = new ArrayList<>();
        if (link != null) where.add(link);
        java.util.Map<String, Sql> embedded = new java.util.HashMap<>();
        for (SelectItem item : items) {
            if (item instanceof SelectItem.Star) {
                for (Column c : source.columns().values()) {
                    select.add(new Sql().ident(alias).raw(".").ident(c.name()));
                }
            } else if (item instanceof SelectItem.ColumnItem col) {
                Sql expr = Expressions.field(alias, source, col.field());
                if (col.cast() != null) expr = new Sql().raw("(").append(expr).raw(")::").raw(col.cast());
                select.add(expr.raw(" as ").ident(col.outputName()));
            } else {
                embed(source, alias, path, (SelectItem.Embed) item, select, from, where, embedded);
            }
        }
        for (Condition c : scope.conditions()) where.add(FilterSql.condition(alias, source, c, embedded));
        List<Sql> order = new ArrayList<>();
        for (OrderTerm t : scope.order()) {
            Sql term = Expressions.field(alias, source, t.field()).raw(t.descending() ? " desc" : " asc");
            if (t.nullsFirst() != null) term.raw(t.nullsFirst() ? " nulls first" : " nulls last");
            order.add(term);
        }
        return new Node(alias, new Sql().join(", ", select), from, where, new Sql().join(", ", order),
                scope.limit(), scope.offset());
    }

    /**
     * Adds an embed to its parent's select and from; {@code embedded} receives, by its name, an
     * expression that is null exactly when the parent row has no related row (for
     * {@code embed=is.null} filters).
     */
    private void embed(Source parent, String parentAlias, List<String> parentPath, SelectItem.Embed embed,
                       List<Sql> select, Sql from, List<Sql> where, java.util.Map<String, Sql> embedded) {
        if (parent.relation() == null) {
            throw ApiError.badRequest("PGRST200", "Could not find a relationship for '" + embed.target()
                    + "': the result of '" + parent.label() + "' is not a table's rows", null);
        }
        Relationship rel = Relationships.resolve(schema, parent.relation(), embed.target(), embed.hint());
        List<String> path = new ArrayList<>(parentPath);
        path.add(embed.outputName());
        if (embed.alias() != null) {
            List<String> byTarget = new ArrayList<>(parentPath);
            byTarget.add(embed.target());
            aliasedPaths.put(byTarget, path);
        }
        Source target = Source.of(rel.target());
        String childAlias = "_" + aliases; // the alias node() is about to take
        Node child = node(target, embed.children(), path, params.scope(path), link(rel, parentAlias, childAlias));
        String joinAlias = "_j" + aliases++;
        boolean inner = embed.join() == SelectItem.JoinType.INNER;

        if (embed.spread()) {
            if (!rel.toOne()) {
                throw ApiError.badRequest("PGRST119", "A spread operation on '" + embed.target()
                        + "' is only possible on a to-one relationship", null);
            }
            from.raw(inner ? " join lateral (" : " left join lateral (").append(child.query()).raw(") as ")
                    .ident(joinAlias).raw(" on true");
            for (SelectItem item : embed.children()) {
                for (String name : outputNames(item, target)) {
                    select.add(new Sql().ident(joinAlias).raw(".").ident(name).raw(" as ").ident(name));
                }
            }
            return;
        }
        Sql body = rel.toOne()
                ? new Sql().raw("select row_to_json(_e) as body from (").append(child.query()).raw(") as _e")
                : new Sql().raw("select coalesce(json_agg(_e), '[]') as body from (").append(child.query()).raw(") as _e");
        from.raw(" left join lateral (").append(body).raw(") as ").ident(joinAlias).raw(" on true");
        Sql presence = rel.toOne() ? new Sql().ident(joinAlias).raw(".body")
                : new Sql().raw("nullif(json_array_length(").ident(joinAlias).raw(".body), 0)");
        embedded.put(embed.outputName(), presence);
        if (inner) where.add(new Sql().append(presence).raw(" is not null"));
        if (!embed.children().isEmpty()) {
            select.add(new Sql().ident(joinAlias).raw(".body as ").ident(embed.outputName()));
        }
    }

    /** The names a spread item brings into its parent. */
    private static List<String> outputNames(SelectItem item, Source source) {
        if (item instanceof SelectItem.Star) return List.copyOf(source.columns().keySet());
        if (item instanceof SelectItem.ColumnItem c) return List.of(c.outputName());
        return List.of(((SelectItem.Embed) item).outputName());
    }

    /** The condition tying a child row to its parent row. */
    private static Sql link(Relationship rel, String parentAlias, String childAlias) {
        List<Sql> parts = new ArrayList<>();
        if (rel.junction() != null) {
            String j = childAlias + "_via";
            Sql exists = new Sql().raw("exists (select 1 from ").raw(rel.junction().name().sql()).raw(" as ").ident(j).raw(" where ");
            List<Sql> conds = new ArrayList<>();
            addEquals(conds, j, rel.foreignKey().fromColumns(), parentAlias, rel.foreignKey().toColumns());
            addEquals(conds, j, rel.junctionKey().fromColumns(), childAlias, rel.junctionKey().toColumns());
            return exists.join(" and ", conds).raw(")");
        }
        if (rel.fromParent()) {
            addEquals(parts, childAlias, rel.foreignKey().toColumns(), parentAlias, rel.foreignKey().fromColumns());
        } else {
            addEquals(parts, childAlias, rel.foreignKey().fromColumns(), parentAlias, rel.foreignKey().toColumns());
        }
        return new Sql().join(" and ", parts);
    }

    private static void addEquals(List<Sql> out, String leftAlias, List<String> left, String rightAlias, List<String> right) {
        for (int i = 0; i < left.size(); i++) {
            out.add(new Sql().ident(leftAlias).raw(".").ident(left.get(i)).raw(" = ").ident(rightAlias).raw(".").ident(right.get(i)));
        }
    }

    /** The relation of a source, for messages. */
    static String label(Relation r) {
        return r.name().name();
    }
}
