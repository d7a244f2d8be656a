package dev.parley.rest;

import dev.parley.http.ApiError;
import dev.parley.rest.query.QueryParams;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Limit and offset from the query string and the {@code Range} header together, and the
 * {@code Content-Range} and status of the answer (206 when a known total is not all returned),
 * as PostgREST's RangeQuery: the header's window and the query's intersect.
 */
public final class Paging {
    /** PostgREST's {@code ^([0-9]+)-([0-9]*)$}; anything else (another unit...) is ignored. */
    private static final Pattern RANGE = Pattern.compile("^(\\d{1,18})-(\\d{0,18})$");

    private Paging() {
    }

    /**
     * The top scope with the Range header's window applied within the query's own limit/offset.
     * The header counts on GET only (RFC 9110); {@code limit=0} always wins.
     */
    public static QueryParams.Scope apply(HttpServerExchange exchange, QueryParams.Scope scope) {
        if (scope.limit() != null && scope.limit() < 0) throw negativeLimit();
        if (scope.limit() != null && scope.limit() == 0) return scope;
        String header = exchange.getRequestMethod().equals(Methods.GET) ? exchange.getRequestHeaders().getFirst("Range") : null;
        if (header == null) return scope;
        Matcher m = RANGE.matcher(header.trim());
        if (!m.matches()) return scope;
        long lower = Long.parseLong(m.group(1));
        Long upper = m.group(2).isEmpty() ? null : Long.parseLong(m.group(2));
        if (upper != null && upper < lower) {
            throw new ApiError(416, "PGRST103", "Requested range not satisfiable",
                    "The lower boundary must be lower than or equal to the upper boundary in the Range header.", null);
        }
        long queryOffset = scope.offset() == null ? 0 : scope.offset();
        Long queryUpper = scope.limit() == null ? null : queryOffset + scope.limit() - 1;
        long newLower = Math.max(lower, queryOffset);
        Long newUpper = upper;
        if (queryUpper != null) newUpper = upper == null ? queryUpper : Long.valueOf(Math.min(upper, queryUpper));
        // Disjoint windows: PostgREST answers with its negative-limit error.
        if (newUpper != null && newUpper < newLower) throw negativeLimit();
        return scope.withPaging(newUpper == null ? null : newUpper - newLower + 1, newLower);
    }

    private static ApiError negativeLimit() {
        return new ApiError(416, "PGRST103", "Requested range not satisfiable",
                "Limit should be greater than or equal to zero.", null);
    }

    /** {@code 0-24/*}, {@code 0-24/100}, {@code *}{@code /0} for an empty page. */
    public static String contentRange(long offset, long rows, Long total) {
        String totalText = total == null ? "*" : Long.toString(total);
        if (rows == 0 || (total != null && total == 0)) return "*/" + totalText;
        return offset + "-" + (offset + rows - 1) + "/" + totalText;
    }

    /** 200, 206 when the known total holds more rows than returned, 416 past the end. */
    public static int status(long offset, long rows, Long total) {
        if (total == null) return 200;
        if (offset > total) return 416;
        return rows < total ? 206 : 200;
    }
}
