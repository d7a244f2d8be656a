package dev.parley.rest;

import com.fasterxml.jackson.databind.JsonNode;
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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Inserts, upserts, PATCH, PUT and DELETE with every Prefer combination supabase-js sends. Each
 * test writes its own rows (ids in its own range) so that the tests stay independent.
 */
@Timeout(60)
class RestWriteTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start(Map.of("PARLEY_MAX_BODY_BYTES", "4096"));
    static final RestCalls rest = new RestCalls(gw);

    @BeforeAll
    static void start() {
        gw.sql(Library.SCHEMA + """
                create table items (id int primary key, name text, qty int default 1, tag text default 'new',
                                    code text unique);
                """);
        rest.awaitTable("items");
    }

    /** The items rows {@code where} selects, as compact JSON in id order. */
    static String rows(String where) {
        return json("select coalesce(json_agg(t order by id), '[]') from (select id, name, qty, tag, code from items where "
                + where + ") t");
    }

    static String json(String query) {
        try {
            return dev.parley.http.Json.MAPPER.readTree(rest.scalar(query)).toString();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void insertMinimalAnswers201WithoutBody() {
        HttpResponse<String> r = rest.write("POST", "/items", "{\"id\":100,\"name\":\"a\"}");
        assertEquals(201, r.statusCode());
        assertEquals("", r.body());
        assertEquals("*/*", header(r, "Content-Range"));
        assertNull(header(r, "Location"));
        assertEquals("[{\"id\":100,\"name\":\"a\",\"qty\":1,\"tag\":\"new\",\"code\":null}]", rows("id = 100"));
    }

    @Test
    void bulkInsertWithRepresentationAndCount() {
        HttpResponse<String> r = rest.write("POST", "/items?select=id,label:name",
                "[{\"id\":110,\"name\":\"x\",\"qty\":5},{\"id\":111,\"name\":\"y\",\"qty\":6}]",
                "Prefer", "return=representation,count=exact");
        assertEquals(201, r.statusCode());
        assertEquals("[{\"id\":110,\"label\":\"x\"},{\"id\":111,\"label\":\"y\"}]", compact(r));
        assertEquals("*/2", header(r, "Content-Range"));
        assertEquals("return=representation, count=exact", header(r, "Preference-Applied"));
        assertEquals("application/json; charset=utf-8", header(r, "Content-Type"));
        assertEquals("2", rest.scalar("select count(*) from items where id in (110, 111)"));
        // an empty array inserts nothing
        r = rest.write("POST", "/items", "[]", "Prefer", "return=representation");
        assertEquals(201, r.statusCode());
        assertEquals("[]", compact(r));
    }

    @Test
    void objectsMustShareTheirKeysUnlessColumnsIsGiven() {
        var body = error(rest.write("POST", "/items", "[{\"id\":120,\"name\":\"a\"},{\"id\":121}]"), 400, "PGRST102");
        assertEquals("All object keys must match", body.get("message").asText());
        assertEquals("0", rest.scalar("select count(*) from items where id in (120, 121)"));
        // supabase-js sends columns= with the union of the keys, quoted
        HttpResponse<String> r = rest.write("POST", "/items?columns=%22id%22,%22name%22,%22qty%22",
                "[{\"id\":120,\"name\":\"a\",\"ignored\":1},{\"id\":121,\"qty\":3}]");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("[{\"id\":120,\"name\":\"a\",\"qty\":null,\"tag\":\"new\",\"code\":null},"
                + "{\"id\":121,\"name\":null,\"qty\":3,\"tag\":\"new\",\"code\":null}]", rows("id in (120, 121)"));
        error(rest.write("POST", "/items?columns=id,nope", "{\"id\":122}"), 400, "PGRST204");
    }

    @Test
    void missingDefaultFillsAbsentKeysWithDefaults() {
        HttpResponse<String> r = rest.write("POST", "/items?columns=%22id%22,%22name%22,%22qty%22,%22tag%22",
                "[{\"id\":130,\"name\":\"a\"},{\"id\":131,\"qty\":9,\"tag\":null}]",
                "Prefer", "missing=default", "Prefer", "return=representation");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("missing=default, return=representation", header(r, "Preference-Applied"));
        assertEquals("[{\"id\":130,\"name\":\"a\",\"qty\":1,\"tag\":\"new\",\"code\":null},"
                + "{\"id\":131,\"name\":null,\"qty\":9,\"tag\":null,\"code\":null}]", rows("id in (130, 131)"));
        // a serial key and a now() default are defaults too
        r = rest.write("POST", "/notes?columns=body,n", "[{\"n\":1},{\"body\":\"b\"}]",
                "Prefer", "missing=default,return=representation");
        JsonNode rows = RestCalls.ok(r);
        assertEquals("empty", rows.get(0).get("body").asText());
        assertEquals(7, rows.get(1).get("n").asInt());
        assertEquals(rows.get(0).get("id").asInt() + 1, rows.get(1).get("id").asInt());
    }

    @Test
    void headersOnlyGivesTheLocation() {
        HttpResponse<String> r = rest.write("POST", "/items", "{\"id\":140,\"name\":\"loc\"}", "Prefer", "return=headers-only");
        assertEquals(201, r.statusCode());
        assertEquals("", r.body());
        assertEquals("/items?id=eq.140", header(r, "Location"));
        assertEquals("return=headers-only", header(r, "Preference-Applied"));
        r = rest.write("POST", "/book_genres", "{\"book_id\":5,\"genre_id\":3}", "Prefer", "return=headers-only");
        assertEquals("/book_genres?book_id=eq.5&genre_id=eq.3", header(r, "Location"));
    }

    @Test
    void representationCanEmbed() {
        HttpResponse<String> r = rest.write("POST", "/books?select=id,title,author:author_id(name),genres(name)",
                "{\"id\":150,\"title\":\"New\",\"author_id\":2}", "Prefer", "return=representation");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("[{\"id\":150,\"title\":\"New\",\"author\":{\"name\":\"Bob\"},\"genres\":[]}]", compact(r));
    }

    @Test
    void upsertMergesOrIgnoresDuplicates() {
        gw.sql("insert into items (id, name, qty) values (160, 'old', 1), (161, 'old2', 2)");
        HttpResponse<String> r = rest.write("POST", "/items",
                "[{\"id\":160,\"name\":\"merged\",\"qty\":10},{\"id\":162,\"name\":\"fresh\",\"qty\":3}]",
                "Prefer", "resolution=merge-duplicates", "Prefer", "return=representation");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("resolution=merge-duplicates, return=representation", header(r, "Preference-Applied"));
        assertEquals("[{\"id\":160,\"name\":\"merged\",\"qty\":10,\"tag\":\"new\",\"code\":null},"
                + "{\"id\":162,\"name\":\"fresh\",\"qty\":3,\"tag\":\"new\",\"code\":null}]", compact(r));
        // only updates: 200
        r = rest.write("POST", "/items", "{\"id\":161,\"name\":\"again\",\"qty\":2}", "Prefer", "resolution=merge-duplicates");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("again", rest.scalar("select name from items where id = 161"));
        // ignore: the existing row stays, the new one is inserted
        r = rest.write("POST", "/items", "[{\"id\":161,\"name\":\"ignored\"},{\"id\":163,\"name\":\"new\"}]",
                "Prefer", "resolution=ignore-duplicates,return=representation");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("[{\"id\":163,\"name\":\"new\",\"qty\":1,\"tag\":\"new\",\"code\":null}]", compact(r));
        assertEquals("again", rest.scalar("select name from items where id = 161"));
        // without resolution a duplicate is 409
        var body = error(rest.write("POST", "/items", "{\"id\":161}"), 409, "23505");
        assertEquals("duplicate key value violates unique constraint \"items_pkey\"", body.get("message").asText());
        assertEquals("Key (id)=(161) already exists.", body.get("details").asText());
    }

    @Test
    void upsertOnAnotherUniqueColumn() {
        gw.sql("insert into items (id, name, code) values (170, 'coded', 'C-170')");
        HttpResponse<String> r = rest.write("POST", "/items?on_conflict=code", "{\"id\":170,\"name\":\"recoded\",\"code\":\"C-170\"}",
                "Prefer", "resolution=merge-duplicates");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("recoded", rest.scalar("select name from items where code = 'C-170'"));
        r = rest.write("POST", "/items?on_conflict=code", "{\"id\":171,\"name\":\"skip\",\"code\":\"C-170\"}",
                "Prefer", "resolution=ignore-duplicates");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("0", rest.scalar("select count(*) from items where id = 171"));
        // a target that is no unique constraint is Postgres' 42P10
        error(rest.write("POST", "/items?on_conflict=name", "{\"id\":172,\"name\":\"n\"}", "Prefer", "resolution=merge-duplicates"),
                400, "42P10");
        error(rest.write("POST", "/items?on_conflict=nope", "{\"id\":172}", "Prefer", "resolution=merge-duplicates"), 400, "PGRST204");
    }

    @Test
    void upsertWithMissingDefault() {
        gw.sql("insert into items (id, name, qty, tag) values (175, 'kept', 5, 'old')");
        HttpResponse<String> r = rest.write("POST", "/items?columns=%22id%22,%22name%22,%22tag%22",
                "[{\"id\":175,\"name\":\"up\"},{\"id\":176,\"name\":\"in\"}]",
                "Prefer", "resolution=merge-duplicates,missing=default");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("[{\"id\":175,\"name\":\"up\",\"qty\":5,\"tag\":\"new\",\"code\":null},"
                + "{\"id\":176,\"name\":\"in\",\"qty\":1,\"tag\":\"new\",\"code\":null}]", rows("id in (175, 176)"));
    }

    @Test
    void patchWithFiltersCountsAndRepresentation() {
        gw.sql("insert into items (id, name, qty) values (180, 'p', 1), (181, 'p', 2), (182, 'q', 3)");
        HttpResponse<String> r = rest.write("PATCH", "/items?name=eq.p&id=gte.180", "{\"qty\":50}", "Prefer", "count=exact");
        assertEquals(204, r.statusCode());
        assertEquals("0-1/2", header(r, "Content-Range"));
        assertEquals("[{\"id\":180,\"name\":\"p\",\"qty\":50,\"tag\":\"new\",\"code\":null},"
                + "{\"id\":181,\"name\":\"p\",\"qty\":50,\"tag\":\"new\",\"code\":null},"
                + "{\"id\":182,\"name\":\"q\",\"qty\":3,\"tag\":\"new\",\"code\":null}]", rows("id between 180 and 182"));
        r = rest.write("PATCH", "/items?id=eq.182&select=id,qty", "{\"qty\":51,\"tag\":null}", "Prefer", "return=representation");
        assertEquals(200, r.statusCode());
        assertEquals("[{\"id\":182,\"qty\":51}]", compact(r));
        assertEquals("0-0/*", header(r, "Content-Range"));
        r = rest.write("PATCH", "/items?id=eq.999", "{\"qty\":1}");
        assertEquals(204, r.statusCode());
        assertEquals("*/*", header(r, "Content-Range"));
        error(rest.write("PATCH", "/items?id=eq.180", "{\"nope\":1}"), 400, "PGRST204");
        assertEquals("50", rest.scalar("select qty from items where id = 180"));
    }

    @Test
    void patchAndDeleteWithLimitAndOrder() {
        gw.sql("insert into items (id, name) values (190, 'l'), (191, 'l'), (192, 'l'), (193, 'l')");
        HttpResponse<String> r = rest.write("PATCH", "/items?name=eq.l&order=id.desc&limit=2", "{\"name\":\"top\"}");
        assertEquals(204, r.statusCode(), r.body());
        assertEquals("[{\"id\":192,\"name\":\"top\"},{\"id\":193,\"name\":\"top\"}]",
                json("select json_agg(t order by id) from (select id, name from items where name = 'top') t"));
        r = rest.write("DELETE", "/items?name=eq.l&order=id&limit=1", null, "Prefer", "return=representation");
        assertEquals(200, r.statusCode());
        assertEquals("[{\"id\":190,\"name\":\"l\",\"qty\":1,\"tag\":\"new\",\"code\":null}]", compact(r));
        assertEquals("1", rest.scalar("select count(*) from items where name = 'l'"));
    }

    @Test
    void deleteWithFilters() {
        gw.sql("insert into items (id, name) values (200, 'd'), (201, 'd'), (202, 'keep')");
        HttpResponse<String> r = rest.write("DELETE", "/items?name=eq.d", null, "Prefer", "count=exact");
        assertEquals(204, r.statusCode());
        assertEquals("*/2", header(r, "Content-Range"));
        assertEquals("[{\"id\":202,\"name\":\"keep\",\"qty\":1,\"tag\":\"new\",\"code\":null}]", rows("id between 200 and 202"));
        r = rest.write("DELETE", "/items?id=eq.202&select=name", null, "Prefer", "return=representation");
        assertEquals("[{\"name\":\"keep\"}]", compact(r));
        // a foreign key that still points at the row: 409
        var body = error(rest.write("DELETE", "/authors?id=eq.1", null), 409, "23503");
        assertEquals("update or delete on table \"authors\" violates foreign key constraint \"books_author_id_fkey\" on table \"books\"",
                body.get("message").asText());
        assertEquals("1", rest.scalar("select count(*) from authors where id = 1"));
    }

    @Test
    void putInsertsOrReplacesOneRowByItsKey() {
        HttpResponse<String> r = rest.write("PUT", "/items?id=eq.210", "{\"id\":210,\"name\":\"put\",\"qty\":4}");
        assertEquals(204, r.statusCode(), r.body());
        r = rest.write("PUT", "/items?id=eq.210", "{\"id\":210,\"name\":\"replaced\",\"qty\":5}", "Prefer", "return=representation");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("[{\"id\":210,\"name\":\"replaced\",\"qty\":5,\"tag\":\"new\",\"code\":null}]", compact(r));
        r = rest.write("PUT", "/items?id=eq.211", "{\"id\":211,\"name\":\"fresh\"}", "Prefer", "return=representation");
        assertEquals(201, r.statusCode(), r.body());
        r = rest.write("PUT", "/book_genres?book_id=eq.4&genre_id=eq.3", "{\"book_id\":4,\"genre_id\":3}");
        assertEquals(204, r.statusCode(), r.body());

        var body = error(rest.write("PUT", "/items?name=eq.x", "{\"id\":212}"), 405, "PGRST105");
        assertEquals("Filters must include all and only primary key columns with 'eq' operators", body.get("message").asText());
        error(rest.write("PUT", "/items?id=gt.1", "{\"id\":212}"), 405, "PGRST105");
        error(rest.write("PUT", "/items?id=eq.212&name=eq.x", "{\"id\":212}"), 405, "PGRST105");
        error(rest.write("PUT", "/book_genres?book_id=eq.4", "{\"book_id\":4,\"genre_id\":3}"), 405, "PGRST105");
        body = error(rest.write("PUT", "/items?id=eq.212", "{\"id\":213,\"name\":\"x\"}"), 400, "PGRST115");
        assertEquals("Payload values do not match URL in primary key column(s)", body.get("message").asText());
        error(rest.write("PUT", "/items?id=eq.212", "{\"name\":\"no key\"}"), 400, "PGRST115");
        body = error(rest.write("PUT", "/items?id=eq.212&limit=1", "{\"id\":212}"), 400, "PGRST114");
        assertEquals("limit/offset querystring parameters are not allowed for PUT", body.get("message").asText());
        assertEquals("0", rest.scalar("select count(*) from items where id in (212, 213)"));
    }

    @Test
    void singularWritesRollBackWhenNotExactlyOneRow() {
        gw.sql("insert into items (id, name, qty) values (220, 's', 1), (221, 's', 1)");
        var body = error(rest.write("PATCH", "/items?name=eq.s", "{\"qty\":9}", "Accept", "application/vnd.pgrst.object+json"),
                406, "PGRST116");
        assertEquals("The result contains 2 rows", body.get("details").asText());
        assertEquals("1", rest.scalar("select max(qty) from items where name = 's'"));
        error(rest.write("POST", "/items", "[{\"id\":222},{\"id\":223}]", "Accept", "application/vnd.pgrst.object+json",
                "Prefer", "return=representation"), 406, "PGRST116");
        assertEquals("0", rest.scalar("select count(*) from items where id in (222, 223)"));
        error(rest.write("DELETE", "/items?name=eq.s", null, "Accept", "application/vnd.pgrst.object+json"), 406, "PGRST116");
        assertEquals("2", rest.scalar("select count(*) from items where name = 's'"));
        // exactly one row: an object
        HttpResponse<String> r = rest.write("PATCH", "/items?id=eq.220&select=id,qty", "{\"qty\":2}",
                "Accept", "application/vnd.pgrst.object+json", "Prefer", "return=representation");
        assertEquals(200, r.statusCode());
        assertEquals("{\"id\":220,\"qty\":2}", compact(r));
        assertEquals("application/vnd.pgrst.object+json; charset=utf-8", header(r, "Content-Type"));
    }

    @Test
    void maxAffectedWithStrictHandlingRollsBack() {
        gw.sql("insert into items (id, name, qty) values (250, 'm', 1), (251, 'm', 1)");
        var body = error(rest.write("PATCH", "/items?name=eq.m", "{\"qty\":5}", "Prefer", "handling=strict,max-affected=1"),
                400, "PGRST124");
        assertEquals("Query result exceeds max-affected preference constraint", body.get("message").asText());
        assertEquals("The query affects 2 rows", body.get("details").asText());
        assertEquals("0", rest.scalar("select count(*) from items where name = 'm' and qty = 5"));
        error(rest.write("DELETE", "/items?name=eq.m", null, "Prefer", "handling=strict", "Prefer", "max-affected=1"), 400, "PGRST124");
        assertEquals("2", rest.scalar("select count(*) from items where name = 'm'"));
        // without handling=strict the preference is ignored, as PostgREST
        assertEquals(204, rest.write("PATCH", "/items?name=eq.m", "{\"qty\":6}", "Prefer", "max-affected=1").statusCode());
        HttpResponse<String> r = rest.write("DELETE", "/items?id=eq.250", null, "Prefer", "handling=strict,max-affected=1");
        assertEquals(204, r.statusCode(), r.body());
        assertEquals("handling=strict, max-affected=1", header(r, "Preference-Applied"));
        assertEquals("[{\"id\":251,\"name\":\"m\",\"qty\":6,\"tag\":\"new\",\"code\":null}]", rows("name = 'm'"));
    }

    @Test
    void badBodies() {
        var body = error(rest.write("POST", "/items", "{\"id\":230,"), 400, "PGRST102");
        assertEquals("Empty or invalid json", body.get("message").asText());
        error(rest.write("POST", "/items", ""), 400, "PGRST102");
        error(rest.write("POST", "/items", "42"), 400, "PGRST102");
        error(rest.write("POST", "/items", "[1,2]"), 400, "PGRST102");
        error(rest.write("POST", "/items", "{\"id\":\"abc\"}"), 400, "22P02");
        error(rest.write("POST", "/items", "{\"id\":230}", "Content-Type", "text/plain"), 415, "PGRST107");
        error(rest.write("PATCH", "/items?id=eq.1", "[{\"qty\":1}]"), 400, "PGRST102");
        assertEquals(413, rest.write("POST", "/items", "{\"name\":\"" + "x".repeat(5000) + "\"}").statusCode());
        assertEquals("0", rest.scalar("select count(*) from items where id = 230 or length(name) > 4000"));
        error(rest.write("POST", "/items", "{\"id\":231,\"name\":null,\"qty\":1}", "Prefer", "return=representation",
                "Accept", "text/html"), 406, "PGRST107");
        assertEquals("0", rest.scalar("select count(*) from items where id = 231"));
    }

    @Test
    void notNullAndCheckViolationsAre400() {
        error(rest.write("POST", "/books", "{\"id\":240}"), 400, "23502");
        error(rest.write("POST", "/books", "{\"id\":241,\"title\":\"t\",\"author_id\":99}"), 409, "23503");
        assertEquals("0", rest.scalar("select count(*) from books where id in (240, 241)"));
    }
}
