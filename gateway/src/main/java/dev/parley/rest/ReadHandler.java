package dev.parley.rest;

import dev.parley.db.RequestTransactions;
import dev.parley.rest.query.QueryParams;
import dev.parley.rest.query.SelectParser;
import dev.parley.rest.read.ReadQuery;
import dev.parley.rest.read.Source;

import java.sql.SQLException;
import java.util.List;

/**
 * GET and HEAD on a table or view: one read-only transaction as the caller, in one round trip
 * to the database unless the count preference needs a planner estimate first.
 */
final class ReadHandler {
    private final RequestTransactions transactions;

    ReadHandler(RequestTransactions transactions) {
        this.transactions = transactions;
    }

    void handle(RestRequest req, Source source, QueryParams params) throws SQLException {
        QueryParams.Scope scope = Paging.apply(req.exchange(), params.scope(List.of()));
        ReadQuery.Node node = new ReadQuery(req.snapshot(), params).top(source, SelectParser.parse(params.select()), scope);
        Page page = Statements.read(transactions, req.caller(), node.query(), node, req.prefer().count(), req.accept());
        Responses.sendPage(req, page, scope.offset() == null ? 0 : scope.offset());
    }
}
