package dev.parley.rest;

import dev.parley.db.RequestTransactions;
import dev.parley.http.ApiError;
import dev.parley.rest.query.QueryParams;
import dev.parley.rest.query.SelectParser;
import dev.parley.rest.read.ReadQuery;
import dev.parley.rest.rpc.FunctionCall;
import dev.parley.rest.rpc.ResponseSettings;
import dev.parley.rest.rpc.RoutineMatcher;
import dev.parley.rest.rpc.RpcArguments;
import dev.parley.rest.schema.QualifiedName;
import dev.parley.rest.schema.Routine;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

import java.sql.SQLException;
import java.util.List;

/**
 * {@code /rest/v1/rpc/{fn}}: calls a function as the caller, in PostgREST's stages. Arguments
 * from the request ({@link RpcArguments}), the overload they name ({@link RoutineMatcher}), the
 * call as a WITH clause ({@link FunctionCall}), then the request's select, filters, order and
 * paging read the result as they would a table, and the answer takes the result's shape: a
 * bare JSON value for a scalar, an object for a composite, an array for a set, 204 for void.
 *
 * <p>A function may choose its response's status and headers through the {@code response.status}
 * and {@code response.headers} settings, as in PostgREST ({@link ResponseSettings}).
 *
 * <p>GET and HEAD run in a read-only transaction, so a function that writes fails there (405,
 * as PostgREST); POST runs read-only too unless the function is volatile.
 */
final class RpcHandler {
    private final RequestTransactions transactions;
    private final long maxBody;

    RpcHandler(RequestTransactions transactions, long maxBody) {
        this.transactions = transactions;
        this.maxBody = maxBody;
    }

    void handle(RestRequest req, String name) throws SQLException {
        HttpServerExchange ex = req.exchange();
        HttpString method = ex.getRequestMethod();
        boolean get = method.equals(Methods.GET);
        boolean reading = get || method.equals(Methods.HEAD);
        if (!reading && !method.equals(Methods.POST)) {
            throw new ApiError(405, "PGRST101", "Cannot use the " + method + " method on RPC");
        }
        if (name.isEmpty() || name.contains("/")) throw new ApiError(404, "PGRST125", "Invalid path specified in request URL");

        RpcArguments args = RpcArguments.of(ex, maxBody);
        boolean singleObject = req.prefer().singleObject();
        Routine routine = RoutineMatcher.find(req.snapshot(), new QualifiedName(req.schema(), name), args, singleObject);
        FunctionCall call = FunctionCall.of(req.snapshot(), routine, args, singleObject);

        QueryParams params = QueryParams.parse(args.filters(), key -> false);
        QueryParams.Scope scope = params.scope(List.of());
        // PostgREST honours Range on GET only; POST and HEAD page with limit/offset alone.
        if (get) scope = Paging.apply(ex, scope);
        ReadQuery.Node node = new ReadQuery(req.snapshot(), params)
                .top(call.source(), SelectParser.parse(params.select()), scope);
        String body = jsonBody(routine, req.accept());
        boolean readOnly = reading || routine.volatility() != 'v';
        Preferences.Count count = count(req, routine);
        Result result = transactions.run(req.caller(), readOnly, c -> new Result(
                Statements.page(c, call.with(), node.query(), node, count, req.accept(), body),
                ResponseSettings.read(c)));
        respond(req, routine, result.page(), result.settings(), count, scope.offset() == null ? 0 : scope.offset());
    }

    /**
     * The count preference honoured. CSV is rendered by a second statement after the count's,
     * which would run the function twice: a volatile function (one that may write) is therefore
     * answered without a total in CSV, so its effects happen once.
     */
    private static Preferences.Count count(RestRequest req, Routine routine) {
        if (req.accept() == MediaType.CSV && routine.volatility() == 'v') return Preferences.Count.NONE;
        return req.prefer().count();
    }

    private record Result(Page page, ResponseSettings settings) {
    }

    /** As a read's answer (Content-Range, 206, singular check), then the function's own status and headers. */
    private static void respond(RestRequest req, Routine routine, Page page, ResponseSettings settings,
                                Preferences.Count count, long offset) {
        HttpServerExchange ex = req.exchange();
        ex.getResponseHeaders().put(Headers.CONTENT_RANGE, Paging.contentRange(offset, page.rows(), page.total()));
        if (count != Preferences.Count.NONE) {
            ex.getResponseHeaders().put(HttpString.tryFromString("Preference-Applied"),
                    "count=" + count.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (routine.returnsVoid()) {
            settings.applyHeaders(ex);
            ex.setStatusCode(settings.statusOr(204));
            ex.endExchange();
            return;
        }
        if (req.accept() == MediaType.OBJECT && page.rows() != 1) throw Responses.singularError(page.rows());
        int status = Paging.status(offset, page.rows(), page.total());
        if (status == 416) {
            throw new ApiError(416, "PGRST103", "Requested range not satisfiable",
                    "An offset of " + offset + " was requested, but there are only " + page.total() + " rows.", null);
        }
        settings.applyHeaders(ex);
        Responses.send(req, settings.statusOr(status), page.body());
    }

    /**
     * The aggregate that shapes the body, as PostgREST's: a scalar is its value (null if none), a
     * set of scalars an array of values, a single composite an object, a set an array of objects;
     * a singular Accept takes the first row.
     */
    private static String jsonBody(Routine routine, MediaType accept) {
        String scalar = "_t." + FunctionCall.SCALAR;
        if (routine.returnsVoid()) return "'null'";
        if (!routine.returnsComposite()) {
            if (!routine.returnsSet() || accept == MediaType.OBJECT) {
                return "coalesce((json_agg(" + scalar + ")->0)::text, 'null')";
            }
            return "coalesce(json_agg(" + scalar + "), '[]')::text";
        }
        if (!routine.returnsSet() || accept == MediaType.OBJECT) return Statements.FIRST_ROW;
        return Statements.ALL_ROWS;
    }
}
