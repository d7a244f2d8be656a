package dev.parley.rest;

import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.parley.rest.RestCalls.json;
import static dev.parley.rest.RestCalls.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A corpus of malformed and hostile requests: SQL where values, identifiers, orders, selects,
 * casts and JSON keys go; broken parentheses and quotes; NUL bytes and odd unicode; huge lists
 * and deep nesting; bad Range, Prefer and Accept headers; invalid bodies. Every one must be a
 * 4xx with a PostgREST error body (never a 500), and the data must be exactly as before.
 */
@Timeout(120)
class RestHostileInputTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start(Map.of("PARLEY_MAX_BODY_BYTES", "65536"));
    static final RestCalls rest = new RestCalls(gw);

    /** A request of the corpus: method, path (escaped as a browser would), body, headers. */
    record Case(String method, String path, String body, String... headers) {
        @Override
        public String toString() {
            return method + " " + path + (body == null ? "" : " " + body.substring(0, Math.min(80, body.length())))
                    + (headers.length == 0 ? "" : " " + String.join(": ", headers));
        }
    }

    @BeforeAll
    static void start() {
        gw.sql(Library.SCHEMA);
        rest.awaitTable("staff");
    }

    /** A fingerprint of every row of every table the API can reach. */
    static String fingerprint() {
        return rest.scalar("""
                select string_agg(t || ':' || n || ':' || h, ' ' order by t) from (
                  select 'authors' t, count(*) n, md5(coalesce(string_agg(x::text, ',' order by x::text), '')) h from authors x
                  union all select 'books', count(*), md5(coalesce(string_agg(x::text, ',' order by x::text), '')) from books x
                  union all select 'book_details', count(*), md5(coalesce(string_agg(x::text, ',' order by x::text), '')) from book_details x
                  union all select 'genres', count(*), md5(coalesce(string_agg(x::text, ',' order by x::text), '')) from genres x
                  union all select 'book_genres', count(*), md5(coalesce(string_agg(x::text, ',' order by x::text), '')) from book_genres x
                  union all select 'staff', count(*), md5(coalesce(string_agg(x::text, ',' order by x::text), '')) from staff x
                  union all select 'tables', count(*), '' from pg_tables where schemaname = 'public'
                ) s""");
    }

    static List<Case> corpus() {
        List<Case> c = new ArrayList<>();
        String drop = "'; drop table books; --";
        // SQL in values
        c.add(new Case("GET", "/books?id=eq." + RestCalls.enc(drop), null));
        c.add(new Case("GET", "/books?id=in.(1);drop%20table%20books", null));
        c.add(new Case("GET", "/books?pages=gt.1%20or%201=1", null));
        c.add(new Case("GET", "/books?during=adj." + RestCalls.enc(drop), null));
        c.add(new Case("DELETE", "/books?id=eq.1%20or%20true", null));
        c.add(new Case("PATCH", "/books?id=in.(1,2)%20or%20true", "{\"pages\":1}"));
        c.add(new Case("GET", "/books?summary=fts(english);drop%20table%20books.x", null));
        c.add(new Case("GET", "/books?summary=fts(" + RestCalls.enc("english'); drop table books; --") + ").x", null));
        // SQL in identifiers
        c.add(new Case("GET", "/books;drop%20table%20books", null));
        c.add(new Case("GET", "/books%22;drop%20table%20books;--", null));
        c.add(new Case("GET", "/books?select=id;drop%20table%20books", null));
        c.add(new Case("GET", "/books?select=" + RestCalls.enc("\"id\"\"; drop table books; --\""), null));
        c.add(new Case("GET", "/books?select=id,(select%201)", null));
        c.add(new Case("GET", "/books?select=count(*)", null));
        c.add(new Case("GET", "/books?" + RestCalls.enc("id;drop table books") + "=eq.1", null));
        c.add(new Case("GET", "/books?" + RestCalls.enc("\"id\" or 1=1 --") + "=eq.1", null));
        c.add(new Case("POST", "/books", "{\"id; drop table books; --\":1}"));
        c.add(new Case("POST", "/books?columns=" + RestCalls.enc("id,\"title); drop table books; --\""), "{\"id\":900,\"title\":\"x\"}"));
        c.add(new Case("POST", "/books?on_conflict=" + RestCalls.enc("id) do nothing; drop table books; --"), "{\"id\":1,\"title\":\"x\"}",
                "Prefer", "resolution=merge-duplicates"));
        c.add(new Case("PATCH", "/books?id=eq.1", "{\"title = 'x'; drop table books; --\":\"x\"}"));
        // SQL in order
        c.add(new Case("GET", "/books?order=id;drop%20table%20books", null));
        c.add(new Case("GET", "/books?order=id.desc;--", null));
        c.add(new Case("GET", "/books?order=(select%201)", null));
        c.add(new Case("GET", "/books?order=id.asc.nullsfirst.drop", null));
        c.add(new Case("GET", "/books?order=random()", null));
        // SQL in casts
        c.add(new Case("GET", "/books?select=id::int);drop%20table%20books;--", null));
        c.add(new Case("GET", "/books?select=id::" + RestCalls.enc("text; drop table books"), null));
        c.add(new Case("GET", "/books?select=id::pg_sleep(1)", null));
        c.add(new Case("GET", "/books?select=id::nosuchtype", null));
        // SQL in JSON keys
        c.add(new Case("GET", "/books?select=meta->>" + RestCalls.enc("x'); drop table books; --"), null, "X-Expect", "any"));
        c.add(new Case("GET", "/books?meta->>" + RestCalls.enc("x') or true; --") + "=eq.1", null, "X-Expect", "any"));
        c.add(new Case("GET", "/books?order=meta->>" + RestCalls.enc("a') desc; drop table books; --"), null, "X-Expect", "any"));
        // broken parentheses and quotes
        for (String q : List.of("or=((id.eq.1)", "or=(id.eq.1))", "or=(id.eq.\"open)", "or=()", "or=(,)", "and=(id.eq.1,)",
                "or=(id.eq.1,or(id.eq.2)", "id=in.(1,2", "id=in.1,2", "id=in.(\"1)", "select=authors(name", "select=name)",
                "select=a:b:c", "select=,", "select=*,", "select=authors!(name)", "select=authors!a!b!c(name)",
                "select=...", "select=%22", "order=,", "order=id.", "order=id.up", "order=%22id", "limit=x", "limit=1e3",
                "offset=-1", "limit=99999999999999999999", "id=not.", "id=not.not.eq.1", "id=eq(any).1", "id=eq(any).{1",
                "id=is.1", "not.or=id.eq.1", "books.or=(id.eq.1", "select=id&not.and=()", "id=eq.1)", "id=in.(1,2)x",
                "id=in.(1,2)%20or%20true", "or=(id.eq.1)x", "id=like(any).{a}b", "pages=fts(english).x)")) {
            c.add(new Case("GET", "/books?" + q, null));
        }
        // NUL bytes and odd unicode
        c.add(new Case("GET", "/books?title=eq.%00", null));
        c.add(new Case("GET", "/books?select=%00", null));
        c.add(new Case("GET", "/books?%00=eq.1", null));
        c.add(new Case("GET", "/books?select=meta->>%00", null));
        c.add(new Case("GET", "/books?select=%00:id", null));
        c.add(new Case("GET", "/books?select=id::%00", null));
        c.add(new Case("GET", "/books?select=authors!%00(id)", null));
        c.add(new Case("GET", "/books?order=%00", null));
        c.add(new Case("GET", "/b%00oks", null));
        c.add(new Case("GET", "/b%C3%BCcher", null));
        c.add(new Case("GET", "/books?select=%F0%9F%92%A5", null));
        c.add(new Case("GET", "/books?title=eq.%C3%28", null, "X-Expect", "any"));
        c.add(new Case("POST", "/books", "{\"id\":901,\"title\":\"nul \\u0000 inside\"}"));
        c.add(new Case("POST", "/books", "{\"id\\u0000\":901}"));
        c.add(new Case("GET", "/books", null, "Accept-Profile", "pub\u00e9lic"));
        // huge and deep
        c.add(new Case("GET", "/books?or=" + "(or".repeat(3000) + "(id.eq.1" + ")".repeat(3001), null));
        c.add(new Case("GET", "/books?or=" + "(".repeat(5000), null));
        c.add(new Case("GET", "/books?select=" + "authors!author_id(".repeat(2000) + "id" + ")".repeat(2000), null));
        c.add(new Case("GET", "/books?select=" + "x".repeat(100_000), null));
        c.add(new Case("POST", "/books", "[".repeat(10_000) + "]".repeat(10_000)));
        c.add(new Case("POST", "/books", "{\"id\":" + "9".repeat(5000) + "}"));
        c.add(new Case("POST", "/books", "{\"title\":\"" + "x".repeat(70_000) + "\"}"));
        // bad headers
        c.add(new Case("GET", "/books", null, "Range", "3-1"));
        c.add(new Case("GET", "/books", null, "Accept", ";;;"));
        c.add(new Case("GET", "/books", null, "Accept", "application/vnd.pgrst.object+json", "X-Note", "many rows"));
        c.add(new Case("GET", "/books", null, "Prefer", "handling=strict, count=everything"));
        c.add(new Case("GET", "/books", null, "Authorization", "Bearer " + "a".repeat(5000)));
        c.add(new Case("GET", "/books", null, "Authorization", "Bearer e30.e30.e30"));
        c.add(new Case("POST", "/books", "{\"id\":902}", "Content-Type", "application/x-www-form-urlencoded"));
        c.add(new Case("POST", "/books", "{\"id\":903}", "Content-Profile", "pg_catalog"));
        // invalid bodies
        for (String b : List.of("{", "{\"a\":}", "[{\"id\":1},]", "nul", "\"text\"", "[1]", "[[]]", "{\"id\":1}{\"id\":2}",
                "[{\"id\":904,\"title\":\"a\"},{\"id\":905}]", "{\"id\":906,\"title\":\"t\"}{\"id\":2}",
                "{\"id\":907,\"title\":\"t\",\"pages\":\"many\"}", "{\"id\":908,\"title\":\"t\",\"tags\":\"notarray\"}",
                "{\"id\":909,\"title\":\"t\",\"during\":\"[5,1)\"}")) {
            c.add(new Case("POST", "/books", b));
        }
        c.add(new Case("PATCH", "/books?id=eq.1", "{\"pages\":\"x\"}"));
        c.add(new Case("PATCH", "/books?id=eq.1", "[]"));
        c.add(new Case("PUT", "/books?id=eq.1", "[{\"id\":1}]"));
        c.add(new Case("DELETE", "/books?authors.id=eq.1", null));
        c.add(new Case("DELETE", "/authors", null));
        return c;
    }

    @Test
    void everyHostileRequestIsA4xxAndTheDataIsIntact() {
        String before = fingerprint();
        List<String> failures = new ArrayList<>();
        for (Case k : corpus()) {
            List<String> headers = new ArrayList<>(List.of(k.headers()));
            String expect = null;
            int i = headers.indexOf("X-Expect");
            if (i >= 0) {
                expect = headers.get(i + 1);
                headers.remove(i);
                headers.remove(i);
            }
            HttpResponse<String> r;
            try {
                String token = headers.contains("Authorization") ? null : gw.serviceKey();
                r = rest.send(k.method(), k.path(), token, k.body(), headers.toArray(String[]::new));
            } catch (RuntimeException e) {
                failures.add(k + " -> no answer: " + e);
                continue;
            }
            int s = r.statusCode();
            if (expect != null) {
                // "any": a harmless request whose answer may be data or a refusal, never a 500
                if (s >= 500) failures.add(k + " -> " + s + " " + abbreviate(r.body()));
                continue;
            }
            if (s < 400 || s >= 500) {
                failures.add(k + " -> " + s + " " + abbreviate(r.body()));
                continue;
            }
            if (s != 413 && !r.body().isEmpty()) {
                var body = json(r);
                if (!body.has("code") || !body.has("message")) failures.add(k + " -> body " + abbreviate(r.body()));
            }
        }
        assertEquals("", String.join("\n", failures));
        assertEquals(before, fingerprint());
    }

    @Test
    void sqlInValuesIsStoredAsData() {
        String evil = "Robert'); drop table books; --";
        HttpResponse<String> r = rest.write("POST", "/genres", "{\"id\":50,\"name\":\"" + evil + "\"}", "Prefer", "return=representation");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(evil, rest.scalar("select name from genres where id = 50"));
        assertEquals(evil, ok(rest.get("/genres?name=eq." + RestCalls.enc(evil))).get(0).get("name").asText());
        assertEquals(evil, ok(rest.get("/genres?or=(name.eq.\"" + RestCalls.enc(evil.replace("\"", "\\\"")) + "\")")).get(0).get("name").asText());
        assertEquals(evil, ok(rest.get("/genres?name=in.(\"" + RestCalls.enc(evil) + "\")")).get(0).get("name").asText());
        assertTrue(rest.scalar("select count(*) from books").equals("5"));
    }

    @Test
    void hugeInListsWork() {
        String ids = IntStream.rangeClosed(1, 5000).mapToObj(Integer::toString).collect(Collectors.joining(","));
        assertEquals(5, ok(rest.get("/books?select=id&id=in.(" + ids + ")")).size());
        assertEquals(0, ok(rest.get("/books?select=id&id=not.in.(" + ids + ")")).size());
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
