package dev.parley.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static dev.parley.rest.RestCalls.error;
import static dev.parley.rest.RestCalls.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every filter operator, negation, quantifiers, logic trees and filters on JSON paths. */
@Timeout(60)
class RestFilterTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final RestCalls rest = new RestCalls(gw);

    @BeforeAll
    static void start() {
        gw.sql(Library.SCHEMA + """
                create table flags (id int primary key, ok boolean, doc tsvector);
                insert into flags values (1, true, to_tsvector('english', 'cats and dogs')), (2, false, null), (3, null, null);
                """);
        rest.awaitTable("flags");
    }

    /** The ids of the books (or of {@code table}) the query string lets through, in id order. */
    static String ids(String query) {
        return ids("books", query);
    }

    static String ids(String table, String query) {
        JsonNode rows = ok(rest.get("/" + table + "?select=id&order=id&" + query));
        List<String> out = new ArrayList<>();
        for (JsonNode r : rows) out.add(r.get("id").asText());
        return String.join(",", out);
    }

    @Test
    void comparisons() {
        assertEquals("1", ids("pages=eq.120"));
        assertEquals("2,4,5", ids("pages=neq.120"));
        assertEquals("1,2", ids("pages=gt.80"));
        assertEquals("1,2,5", ids("pages=gte.80"));
        assertEquals("4", ids("pages=lt.80"));
        assertEquals("4,5", ids("pages=lte.80"));
        assertEquals("2,4,5", ids("released=gte.2005-01-01"));
        assertEquals("1,5", ids("price=lt.15&pages=gt.50"));
        assertEquals("2,3", ids("id=gt.1&id=lt.4"));
        assertEquals("2", ids("tags=eq.{y}"));
        assertEquals("", ids("title=eq."));
    }

    @Test
    void patternMatching() {
        assertEquals("2,4", ids("title=like.*ta"));
        assertEquals("2,4", ids("title=like.%25ta"));
        assertEquals("5", ids("title=ilike.E*"));
        assertEquals("1,5", ids("summary=ilike.*QUICK*"));
        assertEquals("1,2", ids("title=match.^[AB]"));
        assertEquals("5", ids("title=imatch.^E"));
        assertEquals("", ids("title=match.^E"));
    }

    @Test
    void inLists() {
        assertEquals("1,3,5", ids("id=in.(1,3,5)"));
        assertEquals("1,2", ids("title=in.(\"Alpha\",Beta)"));
        assertEquals("", ids("title=in.(\"Alpha,Beta\")"));
        assertEquals("", ids("id=in.()"));
        assertEquals("3,4,5", ids("id=not.in.(1,2)"));
        assertEquals("2,5", ids("meta->>lang=in.(fr,de)"));
    }

    @Test
    void isAndIsDistinct() {
        assertEquals("3", ids("pages=is.null"));
        assertEquals("1,2,4,5", ids("pages=not.is.null"));
        assertEquals("1,2,4,5", ids("pages=is.not_null"));
        assertEquals("1", ids("flags", "ok=is.true"));
        assertEquals("2", ids("flags", "ok=is.false"));
        assertEquals("3", ids("flags", "ok=is.unknown"));
        assertEquals("2,3", ids("flags", "ok=not.is.true"));
        assertEquals("2,3,4,5", ids("pages=isdistinct.120"));
        assertEquals("1", ids("pages=not.isdistinct.120"));
    }

    @Test
    void fullTextSearch() {
        assertEquals("1,3", ids("summary=fts.fox"));
        assertEquals("2,3", ids("summary=fts(english).dogs"));
        assertEquals("", ids("summary=fts(simple).dogs&id=eq.3"));
        assertEquals("1", ids("summary=plfts.quick%20brown"));
        assertEquals("1", ids("summary=plfts.quick+brown"));
        assertEquals("1", ids("summary=phfts(english).brown%20fox"));
        assertEquals("", ids("summary=phfts(english).fox%20brown"));
        assertEquals("1", ids("summary=wfts(english).fox%20-dog"));
        assertEquals("2,5", ids("summary=wfts(english).%22lazy%20dogs%22%20or%20thinking"));
        assertEquals("2,5", ids("summary=not.fts.fox"));
        // a tsvector column is searched as it is
        assertEquals("1", ids("flags", "doc=fts(english).dog"));
        var body = error(rest.get("/books?summary=fts(nolanguage).fox"), 400, "42704");
        assertTrue(body.get("message").asText().contains("nolanguage"), body.toString());
    }

    @Test
    void arraysJsonAndRanges() {
        assertEquals("1,5", ids("tags=cs.{x}"));
        assertEquals("1,2,4", ids("tags=cd.{x,y}"));
        assertEquals("1,2,5", ids("tags=ov.{z,y}"));
        assertEquals("1,2,5", ids("tags=ov.(z,y)"));
        assertEquals("1,4", ids("meta=cs.{\"lang\":\"en\"}"));
        assertEquals("4", ids("meta=cd.{\"lang\":\"en\",\"n\":4,\"x\":1}"));
        assertEquals("1,2,5", ids("during=sl.(10,20)"));
        assertEquals("2,3,5", ids("during=sr.(0,3)"));
        assertEquals("1,5", ids("during=nxr.[1,5)"));
        assertEquals("2,3", ids("during=nxl.[5,100)"));
        assertEquals("2,3", ids("during=adj.[10,20)"));
        assertEquals("1,5", ids("during=ov.[3,5)"));
        assertEquals("2,4", ids("tags=not.cs.{x}"));
    }

    @Test
    void negation() {
        assertEquals("2,4,5", ids("pages=not.eq.120"));
        assertEquals("5", ids("title=not.like.*a"));
        assertEquals("", ids("pages=not.gt.0"));
    }

    @Test
    void quantifiedOperators() {
        assertEquals("1,2", ids("title=like(any).{A*,B*}"));
        assertEquals("2,4", ids("title=like(all).{*a*,*t*}"));
        assertEquals("1,5", ids("title=ilike(any).{a*,E*}"));
        assertEquals("1,3", ids("id=eq(any).{1,3}"));
        assertEquals("1,2", ids("pages=gt(all).{50,100}"));
        assertEquals("2,4,5", ids("id=neq(all).{1,3}"));
        assertEquals("1,2", ids("title=match(any).{^A,^B}"));
        assertEquals("5", ids("title=imatch(all).{^e,N$}"));
        error(rest.get("/books?id=eq(some).{1}"), 400, "PGRST100");
    }

    @Test
    void logicTrees() {
        assertEquals("1,2", ids("or=(pages.gt.200,title.eq.Alpha)"));
        assertEquals("1,5", ids("or=(id.eq.1,and(pages.lt.100,price.gt.6))"));
        assertEquals("3,4,5", ids("not.or=(id.eq.1,id.eq.2)"));
        assertEquals("5", ids("and=(pages.gt.50,not.or(id.eq.1,id.eq.2))"));
        assertEquals("1,3,5", ids("or=(not.and(id.gte.2,id.lte.4),id.eq.3)"));
        assertEquals("1,2,4,5", ids("not.and=(id.gte.3,id.lte.3)"));
        assertEquals("1,2", ids("or=(title.eq.\"Alpha\",summary.eq.\"lazy dogs sleep\")"));
        assertEquals("2", ids("or=(title.in.(\"a,b\",Beta),id.eq.99)"));
        assertEquals("2,4", ids("or=(meta->>lang.eq.fr,meta->>n.eq.4)"));
        assertEquals("1,2,3", ids("or=(summary.fts(english).dogs,id.eq.1)"));
        assertEquals("1,3", ids("or=(pages.is.null,id.eq.1)"));
        assertEquals("2,3", ids("or=(tags.cs.{y},during.cs.[21,22))&id=neq.1"));
        assertEquals("1,2", ids("or=(title.like(any).{A*,B*})"));
        assertEquals("2,4", ids("or=(id.eq.2,id.eq.4)&or=(id.gte.2,id.lt.0)"));
        assertEquals("1", ids("or=(id.not.in.(2,3,4,5))"));
        assertEquals("1,2", ids("or=(title.eq.Alpha,title.eq.Beta)&pages=gt.0"));
        assertEquals("1", ids("or=(and(id.eq.1,pages.eq.120),and(id.eq.2,pages.eq.1))"));
    }

    @Test
    void jsonPathFilters() {
        assertEquals("1,4", ids("meta->>lang=eq.en"));
        assertEquals("2,4", ids("meta->n=gt.1"));
        assertEquals("3", ids("meta->>lang=is.null"));
        assertEquals("1", ids("authors", "meta->prizes->0->>year=eq.2001"));
        assertEquals("2", ids("authors", "meta->>age=lt.50"));
        assertEquals("1", ids("authors", "meta->>country=like.*Z*"));
    }

    @Test
    void badFiltersAre400() {
        var body = error(rest.get("/books?id=foo.1"), 400, "PGRST100");
        assertEquals("\"failed to parse filter (foo.1)\" (line 1, column 1)", body.get("message").asText());
        error(rest.get("/books?id=eq"), 400, "PGRST100");
        error(rest.get("/books?id=1"), 400, "PGRST100");
        error(rest.get("/books?or=(id.eq.1"), 400, "PGRST100");
        error(rest.get("/books?or=id.eq.1"), 400, "PGRST100");
        error(rest.get("/books?or=(id.zz.1)"), 400, "PGRST100");
        error(rest.get("/books?pages=is.maybe"), 400, "PGRST100");
        error(rest.get("/books?id=eq.abc"), 400, "22P02");
        error(rest.get("/books?pages=in.(1,x)"), 400, "22P02");
        error(rest.get("/books?during=sl.notarange"), 400, "22P02");
    }
}
