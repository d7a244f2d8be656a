package dev.parley.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.db.BoundStatement;
import dev.parley.db.RequestTransactions;
import dev.parley.http.ApiError;
import dev.parley.rest.query.Condition;
import dev.parley.rest.query.Operator;
import dev.parley.rest.query.OrderTerm;
import dev.parley.rest.query.QueryParams;
import dev.parley.rest.query.SelectParser;
import dev.parley.rest.read.Expressions;
import dev.parley.rest.read.FilterSql;
import dev.parley.rest.read.ReadQuery;
import dev.parley.rest.read.Source;
import dev.parley.rest.schema.Column;
import dev.parley.rest.schema.Relation;
import dev.parley.rest.sql.Sql;
import io.undertow.util.Headers;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * POST (insert and upsert), PATCH, PUT and DELETE on a table, each one statement in one
 * transaction as the caller: one round trip to the database, unless a singular response or
 * max-affected must see the rows written and may still refuse them (then a transaction that the
 * refusal rolls back). Without {@code return=representation} no RETURNING is used, so a caller
 * whose policies allow the write but not reading the row back can still write.
 */
final class WriteHandler {
    private static final String ALIAS = "_w0";
    private final RequestTransactions transactions;
    private final long maxBody;

    WriteHandler(RequestTransactions transactions, long maxBody) {
        this.transactions = transactions;
        this.maxBody = maxBody;
    }

    void insert(RestRequest req, Relation table, QueryParams params) throws SQLException {
        WriteBody body = WriteBody.read(req.exchange(), maxBody, params.columns() == null);
        List<String> columns = params.columns() != null ? params.columns() : body.keys();
        for (String c : columns) writableColumn(table, c);
        Sql insert = new Sql().raw("insert into ").raw(table.name().sql()).raw(" as ").ident(ALIAS);
        if (columns.isEmpty()) {
            insert.raw(" select from json_array_elements(").typedValue(body.json(), "json").raw(")");
            if (body.rows().isEmpty()) insert.raw(" where false");
        } else {
            insert.raw(" (").join(", ", columns.stream().map(c -> new Sql().ident(c)).toList()).raw(")");
            insert.append(rowsFromBody(table, columns, body, req.prefer().missingDefault()));
        }
        insert.append(onConflict(req, table, params, columns));
        List<String> applied = new ArrayList<>(List.of("return", "missing", "count"));
        // PostgREST reports the resolution only where it can apply: a key or on_conflict exists.
        if (!table.primaryKey().isEmpty() || params.onConflict() != null) applied.add("resolution");
        if (req.prefer().returning() == Preferences.Return.HEADERS_ONLY && !table.primaryKey().isEmpty()) {
            Sql withPk = new Sql().append(insert).raw(" returning ")
                    .join(", ", table.primaryKey().stream().map(k -> new Sql().ident(ALIAS).raw(".").ident(k)).toList());
            // A singular Accept refuses a second row: the refusal has to roll the insert back.
            String location = req.accept() == MediaType.OBJECT
                    ? transactions.run(req.caller(), false, c -> RequestTransactions.execute(c, withPk, st -> location(st, req, table)))
                    : transactions.single(req.caller(), false, withPk, st -> location(st, req, table));
            if (location != null) req.exchange().getResponseHeaders().put(Headers.LOCATION, location);
            finishWithoutBody(req, 201, "*/*", applied);
            return;
        }
        finish(req, table, params, insert, Kind.INSERT, applied);
    }

    void update(RestRequest req, Relation table, QueryParams params) throws SQLException {
        WriteBody body = WriteBody.read(req.exchange(), maxBody);
        if (body.wasArray()) throw WriteBody.invalid("PATCH takes one object");
        List<String> columns = params.columns() != null ? params.columns() : body.keys();
        for (String c : columns) writableColumn(table, c);
        if (columns.isEmpty()) {
            // Nothing to set: PostgREST answers as for an update that matched no row.
            finish(req, table, params, new Sql().raw("select from ").raw(table.name().sql()).raw(" as ").ident(ALIAS)
                    .raw(" where false"), Kind.UPDATE, List.of("return", "missing", "count"));
            return;
        }
        Sql update = new Sql().raw("update ").raw(table.name().sql()).raw(" as ").ident(ALIAS).raw(" set ");
        update.join(", ", columns.stream().map(c -> new Sql().ident(c).raw(" = _b.").ident(c)).toList());
        update.raw(" from json_populate_record(null::").raw(table.name().sql()).raw(", ")
                .typedValue(body.rows().get(0).toString(), "json").raw(") as _b");
        update.append(where(table, params));
        finish(req, table, params, update, Kind.UPDATE, List.of("return", "missing", "count", "max-affected"));
    }

    void delete(RestRequest req, Relation table, QueryParams params) throws SQLException {
        Sql delete = new Sql().raw("delete from ").raw(table.name().sql()).raw(" as ").ident(ALIAS);
        delete.append(where(table, params));
        finish(req, table, params, delete, Kind.DELETE, List.of("return", "count", "max-affected"));
    }

    /** PUT: insert or replace the one row its primary key filters name. */
    void put(RestRequest req, Relation table, QueryParams params) throws SQLException {
        if (table.primaryKey().isEmpty()) {
            throw new ApiError(405, "PGRST105", "Filters must include all and only primary key columns with 'eq' operators");
        }
        Map<String, String> keyValues = primaryKeyFilters(table, params);
        WriteBody body = WriteBody.read(req.exchange(), maxBody);
        if (body.wasArray() || body.rows().size() != 1) throw WriteBody.invalid("PUT takes one object");
        JsonNode row = body.rows().get(0);
        for (Map.Entry<String, String> k : keyValues.entrySet()) {
            JsonNode given = row.get(k.getKey());
            if (given == null || !given.asText().equals(k.getValue())) {
                throw new ApiError(400, "PGRST115", "Payload values do not match URL in primary key column(s)");
            }
        }
        List<String> columns = body.keys();
        for (String c : columns) writableColumn(table, c);
        Sql upsert = new Sql().raw("insert into ").raw(table.name().sql()).raw(" as ").ident(ALIAS).raw(" (")
                .join(", ", columns.stream().map(c -> new Sql().ident(c)).toList()).raw(")");
        upsert.append(rowsFromBody(table, columns, body, false));
        upsert.raw(" on conflict (").join(", ", table.primaryKey().stream().map(k -> new Sql().ident(k)).toList())
                .raw(") do update set ")
                .join(", ", columns.stream().map(c -> new Sql().ident(c).raw(" = excluded.").ident(c)).toList());
        finish(req, table, params, upsert, Kind.PUT, List.of("return", "count"));
    }

    /** The four writes differ in status and Content-Range, as PostgREST's responses. */
    private enum Kind { INSERT, UPDATE, DELETE, PUT }

    /**
     * Runs the write and answers with nothing or the written rows as selected. An upsert (merge
     * or PUT) also counts the rows it inserted (xmax = 0 on a new row version) because the status
     * says whether anything was created; an upsert already needs the SELECT rights that takes.
     */
    private void finish(RestRequest req, Relation table, QueryParams params, Sql write, Kind kind, List<String> applied)
            throws SQLException {
        boolean countInserted = kind == Kind.PUT
                || (kind == Kind.INSERT && req.prefer().resolution() == Preferences.Resolution.MERGE_DUPLICATES);
        if (req.prefer().returning() != Preferences.Return.REPRESENTATION) {
            long[] counts = countInserted
                    ? run(req, kind, countingInserted(write), WriteHandler::readCounts, n -> n[0])
                    : run(req, kind, write, WriteHandler::readUpdateCount, n -> n[0]);
            int status = kind != Kind.INSERT ? 204 : countInserted && counts[1] == 0 ? 200 : 201;
            finishWithoutBody(req, status, kind == Kind.PUT ? null : contentRange(req, kind, counts[0]), applied);
            return;
        }
        Source written = new Source(table.name().name(), Sql.of("_written"), Source.byName(table.columns()), table);
        ReadQuery.Node node = new ReadQuery(req.snapshot(), params)
                .top(written, SelectParser.parse(params.select()), new QueryParams.Scope());
        Sql with = new Sql().raw("with _written as (").append(write).raw(" returning ").ident(ALIAS).raw(".*");
        if (countInserted) with.raw(", (").ident(ALIAS).raw(".xmax = 0) as ").ident(INSERTED);
        with.raw(") ");
        Sql inserted = countInserted ? new Sql().raw("(select count(*) from _written where ").ident(INSERTED).raw(")") : null;
        Page page = run(req, kind, Statements.pageStatement(with, node.query(), inserted, req.accept()),
                Statements::readPage, Page::rows);
        setApplied(req, applied);
        int status = switch (kind) {
            case INSERT -> countInserted && page.total() == 0 ? 200 : 201;
            case PUT -> page.total() > 0 ? 201 : 200;
            default -> 200;
        };
        if (kind != Kind.PUT) req.exchange().getResponseHeaders().put(Headers.CONTENT_RANGE, contentRange(req, kind, page.rows()));
        Responses.send(req, status, page.body());
    }

    /**
     * Runs the write's one statement as the caller and reads its result. A singular response
     * (PGRST116 unless exactly one row) and max-affected (PGRST124 above it, for updates and
     * deletes) refuse a write by the number of rows it wrote, {@code rowsOf} the result: they
     * throw before the commit, inside a transaction that rolls the write back. Without them the
     * write goes in one round trip.
     */
    private <T> T run(RestRequest req, Kind kind, BoundStatement write, RequestTransactions.Result<T> result,
                      ToLongFunction<T> rowsOf) throws SQLException {
        boolean singular = req.accept() == MediaType.OBJECT;
        Long max = req.prefer().maxAffected();
        boolean limited = max != null && (kind == Kind.UPDATE || kind == Kind.DELETE);
        if (!singular && !limited) return transactions.single(req.caller(), false, write, result);
        return transactions.run(req.caller(), false, c -> {
            T written = RequestTransactions.execute(c, write, result);
            long rows = rowsOf.applyAsLong(written);
            if (singular && rows != 1) throw Responses.singularError(rows);
            if (limited && rows > max) {
                throw new ApiError(400, "PGRST124", "Query result exceeds max-affected preference constraint",
                        "The query affects " + rows + " rows", null);
            }
            return written;
        });
    }

    /** Column added to an upsert's RETURNING to tell inserted rows from updated ones. */
    private static final String INSERTED = "_parley_inserted";

    /** The write counting {rows written, rows of them inserted}; see {@link #readCounts}. */
    private static Sql countingInserted(Sql write) {
        return new Sql().raw("with _written as (").append(write).raw(" returning (").ident(ALIAS).raw(".xmax = 0) as ")
                .ident(INSERTED).raw(") select count(*), count(*) filter (where ").ident(INSERTED).raw(") from _written");
    }

    /**
     * {rows written, 0}: the update count. The SELECT that stands for an update of no columns
     * (it writes nothing) has rows, none, instead of a count.
     */
    private static long[] readUpdateCount(Statement st) throws SQLException {
        return new long[]{Math.max(st.getLargeUpdateCount(), 0), 0};
    }

    private static long[] readCounts(Statement st) throws SQLException {
        try (ResultSet rs = st.getResultSet()) {
            rs.next();
            return new long[]{rs.getLong(1), rs.getLong(2)};
        }
    }

    /**
     * PostgREST's Content-Range of a write: {@code 0-(n-1)/*} for an update, {@code *}{@code /*}
     * for an insert or a delete; the total is the row count when a count was asked for.
     */
    private static String contentRange(RestRequest req, Kind kind, long rows) {
        String total = req.prefer().count() == Preferences.Count.NONE ? "*" : Long.toString(rows);
        if (kind == Kind.UPDATE && rows > 0) return "0-" + (rows - 1) + "/" + total;
        return "*/" + total;
    }

    private void finishWithoutBody(RestRequest req, int status, String contentRange, List<String> applied) {
        setApplied(req, applied);
        if (contentRange != null) req.exchange().getResponseHeaders().put(Headers.CONTENT_RANGE, contentRange);
        req.exchange().setStatusCode(status);
        req.exchange().endExchange();
    }

    private static void setApplied(RestRequest req, List<String> keys) {
        String applied = req.prefer().applied(keys);
        if (!applied.isEmpty()) req.exchange().getResponseHeaders().put(Responses.PREFERENCE_APPLIED, applied);
    }

    /**
     * {@code select cols from json_populate_recordset(null::table, body)}; with missing=default a
     * key absent from an object takes the column's default instead of null.
     */
    private static Sql rowsFromBody(Relation table, List<String> columns, WriteBody body, boolean missingDefault) {
        if (!missingDefault) {
            return new Sql().raw(" select ").join(", ", columns.stream().map(c -> new Sql().ident(c)).toList())
                    .raw(" from json_populate_recordset(null::").raw(table.name().sql()).raw(", ")
                    .typedValue(body.json(), "json").raw(")");
        }
        List<Sql> exprs = new ArrayList<>();
        for (String name : columns) {
            Column c = table.column(name);
            String fallback = c.defaultExpr() == null ? "null" : c.defaultExpr();
            // json's -> is SQL null only for an absent key (an explicit null is JSON null), and
            // it avoids jsonb's ? operator, which JDBC would take for a parameter.
            exprs.add(new Sql().raw("case when (_e.j -> ").typedValue(name, "text").raw(") is not null then (_e.r).").ident(name)
                    .raw(" else ").raw(fallback).raw(" end"));
        }
        return new Sql().raw(" select ").join(", ", exprs).raw(" from (select j, json_populate_record(null::")
                .raw(table.name().sql()).raw(", j) as r from json_array_elements(").typedValue(body.json(), "json")
                .raw(") as _a(j)) as _e");
    }

    private static Sql onConflict(RestRequest req, Relation table, QueryParams params, List<String> columns) {
        Preferences.Resolution resolution = req.prefer().resolution();
        if (resolution == Preferences.Resolution.NONE) return new Sql();
        List<String> target = params.onConflict() != null ? params.onConflict() : table.primaryKey();
        if (target.isEmpty()) {
            throw ApiError.badRequest("PGRST100", "An upsert needs on_conflict or a primary key on " + table.name().name(), null);
        }
        for (String c : target) column(table, c);
        Sql sql = new Sql().raw(" on conflict (").join(", ", target.stream().map(c -> new Sql().ident(c)).toList()).raw(")");
        List<String> updated = columns.stream().filter(c -> !target.contains(c)).toList();
        if (resolution == Preferences.Resolution.IGNORE_DUPLICATES || updated.isEmpty()) {
            return sql.raw(" do nothing");
        }
        return sql.raw(" do update set ").join(", ", updated.stream().map(c -> new Sql().ident(c).raw(" = excluded.").ident(c)).toList());
    }

    /**
     * The WHERE of PATCH and DELETE from the filters; with {@code limit}, only that many rows
     * (in {@code order}) are touched.
     */
    private static Sql where(Relation table, QueryParams params) {
        Source source = Source.of(table);
        for (List<String> path : params.paths()) {
            if (!path.isEmpty()) throw ApiError.badRequest("PGRST100", "Filters on embedded resources are not allowed in writes", null);
        }
        QueryParams.Scope scope = params.scope(List.of());
        List<Sql> conditions = new ArrayList<>();
        for (Condition c : scope.conditions()) conditions.add(FilterSql.condition(ALIAS, source, c));
        if (scope.limit() != null) {
            List<Sql> inner = new ArrayList<>();
            for (Condition c : scope.conditions()) inner.add(FilterSql.condition("_l", source, c));
            Sql sub = new Sql().raw("select _l.ctid from ").raw(table.name().sql()).raw(" as _l");
            if (!inner.isEmpty()) sub.raw(" where ").join(" and ", inner);
            if (!scope.order().isEmpty()) {
                List<Sql> order = new ArrayList<>();
                for (OrderTerm t : scope.order()) {
                    if (t.relation() != null) {
                        throw ApiError.badRequest("PGRST100", "A related order is not allowed in writes", null);
                    }
                    Sql term = Expressions.field("_l", source, t.field()).raw(t.descending() ? " desc" : " asc");
                    if (t.nullsFirst() != null) term.raw(t.nullsFirst() ? " nulls first" : " nulls last");
                    order.add(term);
                }
                sub.raw(" order by ").join(", ", order);
            }
            sub.raw(" limit ").number(scope.limit());
            conditions = List.of(new Sql().ident(ALIAS).raw(".ctid = any(array(").append(sub).raw("))"));
        }
        if (conditions.isEmpty()) return new Sql();
        return new Sql().raw(" where ").join(" and ", conditions);
    }

    /** PUT's filters: eq on every primary key column and nothing else. */
    private static Map<String, String> primaryKeyFilters(Relation table, QueryParams params) {
        Map<String, String> out = new HashMap<>();
        Set<String> keys = new HashSet<>(table.primaryKey());
        for (Condition c : params.scope(List.of()).conditions()) {
            if (!(c instanceof Condition.Filter f) || f.negated() || f.operator() != Operator.EQ || f.modifier() != null
                    || !f.field().path().isEmpty() || !keys.contains(f.field().column()) || out.containsKey(f.field().column())) {
                throw new ApiError(405, "PGRST105", "Filters must include all and only primary key columns with 'eq' operators");
            }
            out.put(f.field().column(), f.value());
        }
        if (!out.keySet().equals(keys)) {
            throw new ApiError(405, "PGRST105", "Filters must include all and only primary key columns with 'eq' operators");
        }
        if (params.scope(List.of()).limit() != null || params.scope(List.of()).offset() != null) {
            throw new ApiError(400, "PGRST114", "limit/offset querystring parameters are not allowed for PUT");
        }
        return out;
    }

    private static String location(Statement st, RestRequest req, Relation table) throws SQLException {
        try (ResultSet rs = st.getResultSet()) {
            if (!rs.next()) return null;
            StringBuilder loc = new StringBuilder("/").append(table.name().name());
            for (int i = 0; i < table.primaryKey().size(); i++) {
                loc.append(i == 0 ? '?' : '&').append(URLEncoder.encode(table.primaryKey().get(i), StandardCharsets.UTF_8))
                        .append("=eq.").append(URLEncoder.encode(String.valueOf(rs.getString(i + 1)), StandardCharsets.UTF_8));
            }
            boolean more = rs.next();
            if (req.accept() == MediaType.OBJECT && more) throw Responses.singularError(2);
            return more ? null : loc.toString();
        }
    }

    private static Column column(Relation table, String name) {
        Column c = table.column(name);
        if (c == null) {
            throw new ApiError(400, "PGRST204", "Could not find the '" + name + "' column of '" + table.name().name()
                    + "' in the schema cache");
        }
        return c;
    }

    private static void writableColumn(Relation table, String name) {
        column(table, name);
    }
}
