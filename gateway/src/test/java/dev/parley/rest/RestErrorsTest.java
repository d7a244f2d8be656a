package dev.parley.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;

import static dev.parley.rest.RestCalls.error;
import static dev.parley.rest.RestCalls.header;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The error mapping: database errors by SQLSTATE (one map, as PostgREST's) and the PGRST codes of
 * request errors, each with PostgREST's status and body {code, message, details, hint}.
 */
@Timeout(60)
class RestErrorsTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final RestCalls rest = new RestCalls(gw);

    @BeforeAll
    static void start() {
        gw.sql(Library.SCHEMA + """
                create function missing_rows() returns setof int language plpgsql as $$
                begin return query select 1 from nowhere_table; end $$;
                create view broken_table as select * from missing_rows() as x;
                create function missing_call() returns setof int language plpgsql as $$
                begin return query select nowhere_function(1); end $$;
                create view broken_function as select * from missing_call() as x;
                create function writes_on_read() returns setof int language plpgsql as $$
                begin insert into genres values (99, 'read-only?'); return query select 1; end $$;
                create view writing_view as select * from writes_on_read() as x;
                create table guarded (id int primary key, n int check (n > 0));
                create function refuse() returns trigger language plpgsql as $$
                begin
                  if new.n = 13 then raise exception 'unlucky number' using detail = 'thirteen', hint = 'pick another'; end if;
                  if new.n = 402 then raise sqlstate 'PT402' using message = 'payment required'; end if;
                  return new;
                end $$;
                create trigger guarded_refuse before insert on guarded for each row execute function refuse();
                """);
        rest.awaitTable("guarded");
    }

    @Test
    void errorBodiesAreJsonWithFourKeys() {
        HttpResponse<String> r = rest.get("/nope");
        assertEquals("application/json; charset=utf-8", header(r, "Content-Type"));
        JsonNode body = error(r, 404, "PGRST205");
        assertEquals(4, body.size());
    }

    @Test
    void databaseErrorsMapLikePostgrest() {
        JsonNode body = error(rest.get("/broken_table"), 404, "42P01");
        assertEquals("relation \"nowhere_table\" does not exist", body.get("message").asText());
        error(rest.get("/broken_function"), 404, "42883");
        body = error(rest.get("/writing_view"), 405, "25006");
        assertEquals("cannot execute INSERT in a read-only transaction", body.get("message").asText());
        body = error(rest.write("POST", "/guarded", "{\"id\":1,\"n\":13}"), 400, "P0001");
        assertEquals("unlucky number", body.get("message").asText());
        assertEquals("thirteen", body.get("details").asText());
        assertEquals("pick another", body.get("hint").asText());
        body = error(rest.write("POST", "/guarded", "{\"id\":1,\"n\":402}"), 402, "PT402");
        assertEquals("payment required", body.get("message").asText());
        error(rest.write("POST", "/guarded", "{\"id\":1,\"n\":0}"), 400, "23514");
        error(rest.write("POST", "/guarded", "{\"id\":1,\"n\":99999999999}"), 400, "22003");
        error(rest.write("POST", "/guarded", "{\"id\":\"x\"}"), 400, "22P02");
        rest.write("POST", "/guarded", "{\"id\":1,\"n\":1}");
        error(rest.write("POST", "/guarded", "{\"id\":1,\"n\":1}"), 409, "23505");
        error(rest.write("POST", "/books", "{\"id\":1000,\"title\":\"t\",\"author_id\":404}"), 409, "23503");
        error(rest.write("POST", "/books", "{\"id\":1000}"), 400, "23502");
        assertEquals("0", rest.scalar("select count(*) from genres where id = 99"));
    }

    @Test
    void requestErrorsHavePgrstCodes() {
        error(rest.get("/books?select=id,"), 400, "PGRST100");
        error(rest.write("POST", "/books", "{"), 400, "PGRST102");
        error(rest.get("/books", gw.serviceKey(), "Range", "2-1"), 416, "PGRST103");
        error(rest.write("PUT", "/books?title=eq.x", "{}"), 405, "PGRST105");
        error(rest.get("/books", gw.serviceKey(), "Accept-Profile", "auth"), 406, "PGRST106");
        error(rest.get("/books", gw.serviceKey(), "Accept", "image/png"), 406, "PGRST107");
        error(rest.get("/books?select=id&authors.id=eq.1"), 400, "PGRST108");
        error(rest.write("PUT", "/genres?id=eq.1&limit=1", "{\"id\":1}"), 400, "PGRST114");
        error(rest.write("PUT", "/genres?id=eq.1", "{\"id\":2}"), 400, "PGRST115");
        error(rest.get("/books?id=eq.999", gw.serviceKey(), "Accept", "application/vnd.pgrst.object+json"), 406, "PGRST116");
        JsonNode body = error(rest.send("FOO", "/books", gw.serviceKey(), null), 405, "PGRST117");
        assertEquals("Unsupported HTTP method: FOO", body.get("message").asText());
        error(rest.get("/books?select=id,authors!author_id()&authors=eq.1"), 400, "PGRST120");
        body = error(rest.get("/books", gw.serviceKey(), "Prefer", "handling=strict, count=exact, bogus=1"), 400, "PGRST122");
        assertEquals("Invalid preferences given with handling=strict", body.get("message").asText());
        assertEquals("Invalid preferences: bogus=1", body.get("details").asText());
        body = error(rest.get("/books/1"), 404, "PGRST125");
        assertEquals("Invalid path specified in request URL", body.get("message").asText());
        error(rest.get("/books?select=nothing(*)"), 400, "PGRST200");
        error(rest.get("/books?select=authors(*)"), 300, "PGRST201");
        error(rest.write("PATCH", "/books?id=eq.1", "{\"nope\":1}"), 400, "PGRST204");
        error(rest.get("/nope"), 404, "PGRST205");
        error(rest.get("/books?select=nope"), 400, "42703");
    }

    @Test
    void unknownPreferencesAreIgnoredWithoutStrict() {
        HttpResponse<String> r = rest.get("/books?select=id&limit=1", gw.serviceKey(), "Prefer", "bogus, count=exact, handling=lenient");
        assertEquals(206, r.statusCode());
        assertEquals("count=exact, handling=lenient", header(r, "Preference-Applied"));
    }

    @Test
    void unauthenticatedErrorsSayBearer() {
        gw.sql("create table closed (id int); revoke all on closed from anon;");
        rest.awaitTable("closed");
        HttpResponse<String> r = rest.get("/closed", gw.anonKey());
        error(r, 401, "42501");
        assertEquals("Bearer", header(r, "WWW-Authenticate"));
    }
}
