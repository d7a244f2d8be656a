package dev.parley.rest;

import dev.parley.http.ApiError;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

/** Writing /rest/v1 answers: the body in the negotiated format with PostgREST's headers. */
final class Responses {
    static final HttpString PREFERENCE_APPLIED = HttpString.tryFromString("Preference-Applied");
    static final HttpString CONTENT_PROFILE = HttpString.tryFromString("Content-Profile");

    private Responses() {
    }

    /** Sends a read's page: Content-Range, 200/206, the singular check of an object request. */
    static void sendPage(RestRequest req, Page page, long offset) {
        HttpServerExchange ex = req.exchange();
        if (req.accept() == MediaType.OBJECT && page.rows() != 1) throw singularError(page.rows());
        int status = Paging.status(offset, page.rows(), page.total());
        ex.getResponseHeaders().put(Headers.CONTENT_RANGE, Paging.contentRange(offset, page.rows(), page.total()));
        if (status == 416) {
            throw new ApiError(416, "PGRST103", "Requested range not satisfiable",
                    "An offset of " + offset + " was requested, but there are only " + page.total() + " rows.", null);
        }
        String applied = req.prefer().applied(java.util.List.of("count"));
        if (!applied.isEmpty()) ex.getResponseHeaders().put(PREFERENCE_APPLIED, applied);
        send(req, status, page.body());
    }

    /** PGRST116: an object was asked for and the result was not exactly one row. */
    static ApiError singularError(long rows) {
        return new ApiError(406, "PGRST116", "Cannot coerce the result to a single JSON object",
                "The result contains " + rows + " rows", null);
    }

    static void send(RestRequest req, int status, String body) {
        HttpServerExchange ex = req.exchange();
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, req.accept().contentType());
        if (req.negotiatedByProfile()) ex.getResponseHeaders().put(CONTENT_PROFILE, req.schema());
        if (req.isHead() || body == null) {
            ex.endExchange();
        } else {
            ex.getResponseSender().send(body);
        }
    }
}
