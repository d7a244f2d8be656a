package dev.parley.rest.query;

import dev.parley.http.ApiError;

/** PGRST100: a query parameter that does not parse, with where and why, as PostgREST words it. */
final class ParseError {
    private ParseError() {
    }

    static ApiError at(String what, String input, int position, String problem) {
        return new ApiError(400, "PGRST100",
                "\"failed to parse " + what + " (" + input + ")\" (line 1, column " + (position + 1) + ")",
                problem, null);
    }
}
