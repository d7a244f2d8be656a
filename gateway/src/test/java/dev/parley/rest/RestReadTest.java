package dev.parley.rest;

import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.Map;

import static dev.parley.rest.RestCalls.compact;
import static dev.parley.rest.RestCalls.error;
import static dev.parley.rest.RestCalls.header;
import static dev.parley.rest.RestCalls.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads: select, order, paging and counts, singular and CSV answers, schemas by profile. */
@Timeout(60)
class RestReadTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start(Map.of("PARLEY_DB_SCHEMAS", "public,extra"));
    static final RestCalls rest = new RestCalls(gw);

    @BeforeAll
    static void start() {
        gw.sql(Library.SCHEMA + """
                create schema extra;
                grant usage on schema extra to anon, authenticated, service_role;
                create table extra.books (id int primary key, shelf text);
                grant all on extra.books to anon, authenticated, service_role;
                insert into extra.books values (1, 'top');
                create table private_things (id int);
                """);
        rest.awaitTable("staff");
        rest.awaitStatus("/books?limit=0", s -> s == 200, "extra schema");
    }

    @Test
    void selectsEveryColumnByDefaultInTableOrder() {
        HttpResponse<String> r = rest.get("/authors?order=id&id=lte.2");
        assertEquals(200, r.statusCode());
        assertEquals("application/json; charset=utf-8", header(r, "Content-Type"));
        assertEquals("[{\"id\":1,\"name\":\"Ann\",\"born\":1970,\"meta\":{\"age\":55,\"prizes\":[{\"year\":2001}],\"country\":\"NZ\"}},"
                + "{\"id\":2,\"name\":\"Bob\",\"born\":1985,\"meta\":{\"age\":40,\"country\":\"UK\"}}]", compact(r));
        assertEquals("0-1/*", header(r, "Content-Range"));
    }

    @Test
    void renamesAndCasts() {
        HttpResponse<String> r = rest.get("/books?select=name:title,pages::text,cost:price::int,id&id=eq.1");
        assertEquals("[{\"name\":\"Alpha\",\"pages\":\"120\",\"cost\":11,\"id\":1}]", compact(r));
    }

    @Test
    void jsonPathsNameTheirLastKeyAndKeepTheirType() {
        HttpResponse<String> r = rest.get("/authors?select=id,meta->country,meta->>age,year:meta->prizes->0->year,"
                + "agen:meta->>age::int&id=eq.1");
        assertEquals("[{\"id\":1,\"country\":\"NZ\",\"age\":\"55\",\"year\":2001,\"agen\":55}]", compact(r));
        // A missing key or a SQL null column gives null, never an error.
        assertEquals("[{\"country\":null}]", compact(rest.get("/authors?select=meta->>country&id=eq.3")));
        assertEquals("[{\"nope\":null}]", compact(rest.get("/authors?select=meta->nope&id=eq.1")));
    }

    @Test
    void ordersWithDirectionsNullsAndJsonPaths() {
        assertEquals("[{\"id\":2},{\"id\":1},{\"id\":5},{\"id\":4},{\"id\":3}]",
                compact(rest.get("/books?select=id&order=pages.desc.nullslast")));
        assertEquals("[{\"id\":3},{\"id\":2},{\"id\":1},{\"id\":5},{\"id\":4}]",
                compact(rest.get("/books?select=id&order=pages.desc")));
        assertEquals("[{\"id\":3},{\"id\":4},{\"id\":5},{\"id\":1},{\"id\":2}]",
                compact(rest.get("/books?select=id&order=pages.nullsfirst")));
        assertEquals("[{\"id\":2},{\"id\":4},{\"id\":1},{\"id\":5},{\"id\":3}]",
                compact(rest.get("/books?select=id&order=meta->>lang.desc.nullslast,id.desc")));
        // several terms: author first, then title descending
        assertEquals("[{\"id\":2},{\"id\":1},{\"id\":5},{\"id\":3},{\"id\":4}]",
                compact(rest.get("/books?select=id&order=author_id.asc,title.desc")));
    }

    @Test
    void limitAndOffset() {
        HttpResponse<String> r = rest.get("/books?select=id&order=id&limit=2&offset=1");
        assertEquals("[{\"id\":2},{\"id\":3}]", compact(r));
        assertEquals("1-2/*", header(r, "Content-Range"));
        r = rest.get("/books?select=id&limit=0");
        assertEquals("[]", compact(r));
        assertEquals("*/*", header(r, "Content-Range"));
        r = rest.get("/books?select=id&order=id&offset=10");
        assertEquals(200, r.statusCode());
        assertEquals("[]", compact(r));
    }

    @Test
    void rangeHeaderWithinTheQueryLimits() {
        HttpResponse<String> r = rest.get("/books?select=id&order=id", gw.serviceKey(), "Range-Unit", "items", "Range", "1-2");
        assertEquals("[{\"id\":2},{\"id\":3}]", compact(r));
        assertEquals("1-2/*", header(r, "Content-Range"));
        r = rest.get("/books?select=id&order=id", gw.serviceKey(), "Range", "3-");
        assertEquals("[{\"id\":4},{\"id\":5}]", compact(r));
        // the window of the header and that of limit/offset intersect
        r = rest.get("/books?select=id&order=id&limit=2", gw.serviceKey(), "Range", "1-3");
        assertEquals("[{\"id\":2}]", compact(r));
        r = rest.get("/books?select=id&order=id&offset=2", gw.serviceKey(), "Range", "0-3");
        assertEquals("[{\"id\":3},{\"id\":4}]", compact(r));
        assertEquals("2-3/*", header(r, "Content-Range"));
    }

    @Test
    void invalidRangesAre416() {
        var body = error(rest.get("/books", gw.serviceKey(), "Range", "3-1"), 416, "PGRST103");
        assertEquals("Requested range not satisfiable", body.get("message").asText());
        assertEquals("The lower boundary must be lower than or equal to the upper boundary in the Range header.",
                body.get("details").asText());
        body = error(rest.get("/books?limit=-1"), 416, "PGRST103");
        assertEquals("Limit should be greater than or equal to zero.", body.get("details").asText());
        body = error(rest.get("/books?offset=6", gw.serviceKey(), "Prefer", "count=exact"), 416, "PGRST103");
        assertEquals("An offset of 6 was requested, but there are only 5 rows.", body.get("details").asText());
    }

    @Test
    void exactCountGivesTheTotalAnd206ForAPart() {
        HttpResponse<String> r = rest.get("/books?select=id", gw.serviceKey(), "Prefer", "count=exact");
        assertEquals(200, r.statusCode());
        assertEquals("0-4/5", header(r, "Content-Range"));
        assertEquals("count=exact", header(r, "Preference-Applied"));
        r = rest.get("/books?select=id&order=id&limit=2&pages=gt.0", gw.serviceKey(), "Prefer", "count=exact");
        assertEquals(206, r.statusCode());
        assertEquals("0-1/4", header(r, "Content-Range"));
        r = rest.get("/books?select=id&offset=5", gw.serviceKey(), "Prefer", "count=exact");
        assertEquals(206, r.statusCode());
        assertEquals("*/5", header(r, "Content-Range"));
        r = rest.get("/books?select=id&id=gt.100", gw.serviceKey(), "Prefer", "count=exact");
        assertEquals(200, r.statusCode());
        assertEquals("*/0", header(r, "Content-Range"));
    }

    @Test
    void plannedAndEstimatedCounts() {
        HttpResponse<String> r = rest.get("/books?select=id", gw.serviceKey(), "Prefer", "count=planned");
        assertTrue(header(r, "Content-Range").matches("0-4/\\d+"), header(r, "Content-Range"));
        assertEquals("count=planned", header(r, "Preference-Applied"));
        // few rows: estimated is the exact count
        r = rest.get("/books?select=id&limit=1", gw.serviceKey(), "Prefer", "count=estimated");
        assertEquals("0-0/5", header(r, "Content-Range"));
        assertEquals(206, r.statusCode());
    }

    @Test
    void headAnswersHeadersOnly() {
        HttpResponse<String> r = rest.send("HEAD", "/books?pages=gt.100", gw.serviceKey(), null, "Prefer", "count=exact");
        assertEquals(200, r.statusCode());
        assertEquals("", r.body());
        assertEquals("0-1/2", header(r, "Content-Range"));
    }

    @Test
    void singularObject() {
        HttpResponse<String> r = rest.get("/books?select=id,title&id=eq.1", gw.serviceKey(), "Accept", "application/vnd.pgrst.object+json");
        assertEquals(200, r.statusCode());
        assertEquals("{\"id\":1,\"title\":\"Alpha\"}", compact(r));
        assertEquals("application/vnd.pgrst.object+json; charset=utf-8", header(r, "Content-Type"));
        var body = error(rest.get("/books?id=gt.1", gw.serviceKey(), "Accept", "application/vnd.pgrst.object+json"), 406, "PGRST116");
        assertEquals("Cannot coerce the result to a single JSON object", body.get("message").asText());
        assertEquals("The result contains 4 rows", body.get("details").asText());
        body = error(rest.get("/books?id=eq.99", gw.serviceKey(), "Accept", "application/vnd.pgrst.object+json"), 406, "PGRST116");
        assertEquals("The result contains 0 rows", body.get("details").asText());
    }

    @Test
    void csvLikePostgrest() {
        HttpResponse<String> r = rest.get("/books?select=id,title,tags,pages,summary&id=lte.4&order=id", gw.serviceKey(),
                "Accept", "text/csv");
        assertEquals(200, r.statusCode());
        assertEquals("text/csv; charset=utf-8", header(r, "Content-Type"));
        assertEquals("""
                id,title,tags,pages,summary
                1,Alpha,"{x,y}",120,"the quick brown fox"
                2,Beta,{y},300,"lazy dogs sleep"
                3,Gamma,,,"a fox and a dog"
                4,Delta,{},50,""", r.body());
        r = rest.get("/books?select=id&id=eq.99", gw.serviceKey(), "Accept", "text/csv");
        assertEquals(200, r.statusCode());
        assertEquals("\n", r.body());
    }

    @Test
    void acceptNegotiation() {
        assertEquals(200, rest.get("/books?id=eq.1", gw.serviceKey(), "Accept", "*/*").statusCode());
        assertEquals(200, rest.get("/books?id=eq.1", gw.serviceKey(), "Accept", "text/html, application/json;q=0.9").statusCode());
        var body = error(rest.get("/books", gw.serviceKey(), "Accept", "text/html"), 406, "PGRST107");
        assertEquals("None of these media types are available: text/html", body.get("message").asText());
    }

    @Test
    void profilesSelectAnExposedSchema() {
        HttpResponse<String> r = rest.get("/books?select=id,shelf", gw.serviceKey(), "Accept-Profile", "extra");
        assertEquals("[{\"id\":1,\"shelf\":\"top\"}]", compact(r));
        assertEquals("extra", header(r, "Content-Profile"));
        r = rest.get("/books?select=id&id=eq.1", gw.serviceKey(), "Accept-Profile", "public");
        assertEquals("[{\"id\":1}]", compact(r));
        assertEquals("public", header(r, "Content-Profile"));
        var body = error(rest.get("/books", gw.serviceKey(), "Accept-Profile", "auth"), 406, "PGRST106");
        assertEquals("Invalid schema: auth", body.get("message").asText());
        assertEquals("Only the following schemas are exposed: public, extra", body.get("hint").asText());
        // writes choose with Content-Profile
        r = rest.write("POST", "/books", "{\"id\":2,\"shelf\":\"low\"}", "Content-Profile", "extra", "Prefer", "return=representation");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("[{\"id\":2,\"shelf\":\"low\"}]", compact(r));
        assertEquals("low", rest.scalar("select shelf from extra.books where id = 2"));
        error(rest.write("POST", "/books", "{\"id\":3}", "Content-Profile", "nope"), 406, "PGRST106");
        error(rest.write("DELETE", "/books?id=eq.2", null, "Content-Profile", "auth"), 406, "PGRST106");
        assertEquals("1", rest.scalar("select count(*) from extra.books where id = 2"));
    }

    @Test
    void unknownTablesAndColumns() {
        var body = error(rest.get("/nope"), 404, "PGRST205");
        assertEquals("Could not find the table 'public.nope' in the schema cache", body.get("message").asText());
        body = error(rest.get("/books?select=id,nope"), 400, "42703");
        assertEquals("column books.nope does not exist", body.get("message").asText());
        error(rest.get("/books?nope=eq.1"), 400, "42703");
        error(rest.get("/books?order=nope"), 400, "42703");
        // a relation of a schema not exposed is not found, whatever its name
        error(rest.get("/users"), 404, "PGRST205");
        error(rest.get("/auth.users"), 404, "PGRST205");
    }

    @Test
    void optionsListsTheMethodsARelationTakes() {
        HttpResponse<String> r = rest.send("OPTIONS", "/books", gw.serviceKey(), null);
        assertEquals(200, r.statusCode());
        assertEquals("OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE", header(r, "Allow"));
        gw.sql("create table log_lines (line text); create view line_count as select count(*) from log_lines");
        rest.awaitTable("line_count");
        assertEquals("OPTIONS,GET,HEAD,POST,PATCH,DELETE", header(rest.send("OPTIONS", "/log_lines", gw.serviceKey(), null), "Allow"));
        assertEquals("OPTIONS,GET,HEAD", header(rest.send("OPTIONS", "/line_count", gw.serviceKey(), null), "Allow"));
    }

    @Test
    void viewsReadLikeTables() {
        gw.sql("create view long_books as select id, title from books where pages > 100");
        rest.awaitTable("long_books");
        assertEquals("[{\"id\":1,\"title\":\"Alpha\"},{\"id\":2,\"title\":\"Beta\"}]",
                compact(rest.get("/long_books?order=id")));
        assertNull(header(rest.get("/long_books"), "Preference-Applied"));
        ok(rest.get("/long_books?title=like.A*"));
    }
}
