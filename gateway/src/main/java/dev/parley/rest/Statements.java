package dev.parley.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.auth.Caller;
import dev.parley.db.RequestTransactions;
import dev.parley.http.Json;
import dev.parley.rest.read.ReadQuery;
import dev.parley.rest.sql.Sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Runs the statement of a request and renders its rows: as a JSON array or object aggregated in
 * Postgres (one round trip, no per-row work in Java), or as CSV. {@code rows} is any query whose
 * columns are the output fields, and {@code counted} the rows to count for a count preference.
 */
public final class Statements {
    /** Above this planned row count, count=estimated answers with the planner's estimate. */
    static final long ESTIMATE_THRESHOLD = 1000;

    /**
     * CSV as PostgREST renders it: a header of the column names, then each row's record text
     * without its parentheses (so values are quoted as Postgres quotes record fields).
     */
    private static final String CSV_BODY = "(select coalesce(string_agg(_k, ','), '') from json_object_keys(json_agg(_t)->0) as _k)"
            + " || E'\\n' || coalesce(string_agg(substring(_t::text, 2, length(_t::text) - 2), E'\\n'), '')";

    private Statements() {
    }

    /**
     * A read's page as the caller, read-only: in one round trip ({@link RequestTransactions#single}),
     * unless an estimated count needs the planner's estimate first, a second statement.
     */
    public static Page read(RequestTransactions transactions, Caller caller, Sql rows, ReadQuery.Node counted,
                            Preferences.Count count, MediaType type) throws SQLException {
        if (counted != null && (count == Preferences.Count.PLANNED || count == Preferences.Count.ESTIMATED)) {
            return transactions.run(caller, true, c -> page(c, new Sql(), rows, counted, count, type, jsonBody(type)));
        }
        Sql total = count == Preferences.Count.NONE || counted == null ? null : exactTotal(counted);
        return transactions.single(caller, true, pageStatement(new Sql(), rows, total, type, jsonBody(type)), Statements::readPage);
    }

    /** JSON of the first row of {@code _t}, or null: a singular response. */
    public static final String FIRST_ROW = "coalesce((json_agg(_t)->0)::text, 'null')";
    /** JSON array of the rows of {@code _t}. */
    public static final String ALL_ROWS = "coalesce(json_agg(_t), '[]')::text";

    private static String jsonBody(MediaType type) {
        return type == MediaType.OBJECT ? FIRST_ROW : ALL_ROWS;
    }

    /**
     * A page inside a transaction, after {@code with}: a WITH clause the rows query reads from
     * (a function call), with the JSON body's aggregate over the rows {@code _t} given (trusted
     * SQL text): RPC shapes scalar results as bare values. CSV ignores it.
     */
    public static Page page(Connection c, Sql with, Sql rows, ReadQuery.Node counted, Preferences.Count count,
                            MediaType type, String jsonBody) throws SQLException {
        Sql statement = pageStatement(with, rows, totalExpression(c, with, counted, count), type, jsonBody);
        return RequestTransactions.execute(c, statement, Statements::readPage);
    }

    /**
     * The one statement of a page: its total (SQL, or null for none), row count and body, over
     * the rows of {@code rows} after {@code with}.
     */
    public static Sql pageStatement(Sql with, Sql rows, Sql total, MediaType type) {
        return pageStatement(with, rows, total, type, jsonBody(type));
    }

    private static Sql pageStatement(Sql with, Sql rows, Sql total, MediaType type, String jsonBody) {
        Sql q = new Sql().append(with).raw("select ");
        q.append(total == null ? Sql.of("null::bigint") : total);
        q.raw(", count(_t), ");
        q.raw(type == MediaType.CSV ? CSV_BODY : jsonBody);
        q.raw(" from (").append(rows).raw(") as _t");
        return q;
    }

    /** The page of a {@link #pageStatement} executed. */
    public static Page readPage(Statement st) throws SQLException {
        try (ResultSet rs = st.getResultSet()) {
            rs.next();
            long t = rs.getLong(1);
            Long totalValue = rs.wasNull() ? null : t;
            return new Page(totalValue, rs.getLong(2), rs.getString(3));
        }
    }

    private static Sql exactTotal(ReadQuery.Node counted) {
        return new Sql().raw("(").append(counted.count()).raw(")");
    }

    /** The SQL for the total row count, or null when none is wanted. */
    private static Sql totalExpression(Connection c, Sql with, ReadQuery.Node counted, Preferences.Count count)
            throws SQLException {
        if (count == Preferences.Count.NONE || counted == null) return null;
        if (count == Preferences.Count.EXACT) return exactTotal(counted);
        long planned = plannedRows(c, with, counted);
        if (count == Preferences.Count.ESTIMATED && planned <= ESTIMATE_THRESHOLD) return exactTotal(counted);
        return new Sql().number(planned);
    }

    /** The planner's estimate of the rows the filters let through (EXPLAIN, nothing executed). */
    private static long plannedRows(Connection c, Sql with, ReadQuery.Node counted) throws SQLException {
        Sql explain = new Sql().raw("explain (format json) ").append(with).raw("select 1 from ").append(counted.from())
                .append(counted.whereClause());
        try (PreparedStatement st = explain.bind(c.prepareStatement(explain.text())); ResultSet rs = st.executeQuery()) {
            rs.next();
            JsonNode plan = Json.MAPPER.readTree(rs.getString(1));
            return plan.get(0).get("Plan").get("Plan Rows").asLong();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("unreadable EXPLAIN output", e);
        }
    }

}
