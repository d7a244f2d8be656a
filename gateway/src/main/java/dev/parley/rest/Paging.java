package dev.parley.rest;

import dev.parley.http.ApiError;
import dev.parley.rest.query.QueryParams;
import io.undertow.server.HttpServerExchange;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Limit and offset from the query string and the {@code Range} header together, and the
 * {@code Content-Range} and status of the answer (206 when a known total is not all returned).
 */
public final class Paging {
    private static final Pattern RANGE = Pattern.compile("^(?:items=)?\\s*(\\d{1,18})-(\\d{0,18})\\s*$");

    private Paging() {
    }

    /** The top scope with the Range header's window applied within the query's own limit/offset. */
    public static QueryParams.Scope apply(HttpServerExchange exchange, QueryParams.Scope scope) {
        String header = exchange.getRequestHeaders().getFirst("Range");
        if (header == null || header.isBlank()) return scope;
        Matcher m = RANGE.matcher(header);
        if (!m.matches()) return scope; // an unknown range unit is ignored, as RFC 9110 allows
        long lower = Long.parseLong(m.group(1));
        Long upper = m.group(2).isEmpty() ? null : Long.parseLong(m.group(2));
        if (upper != null && upper < lower) {
            throw new ApiError(416, "PGRST103", "Requested range not satisfiable",
                    "The lower boundary must be lower than or equal to the upper boundary", null);
        }
        long offset = scope.offset() != null ? scope.offset() : lower;
        Long limit = upper == null ? null : upper - lower + 1;
        if (scope.limit() != null) limit = limit == null ? scope.limit() : Math.min(limit, scope.limit());
        return scope.withPaging(limit, offset);
    }

    /** {@code 0-24/*}, {@code 0-24/100}, {@code *}{@code /0} for an empty page. */
    public static String contentRange(long offset, long rows, Long total) {
        String totalText = total == null ? "*" : Long.toString(total);
        if (rows == 0) return "*/" + totalText;
        return offset + "-" + (offset + rows - 1) + "/" + totalText;
    }

    /** 200, 206 when the known total holds more rows than returned, 416 past the end. */
    public static int status(long offset, long rows, Long total) {
        if (total == null) return 200;
        if (offset > 0 && offset >= total && total > 0) {
            return 416;
        }
        return rows < total ? 206 : 200;
    }
}
