package dev.parley.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import static dev.parley.rest.RestCalls.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /rest/v1/rpc/{fn} as PostgREST answers it, against a real gateway and Postgres. */
@Timeout(60)
class RpcTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start(Map.of("PARLEY_DB_SCHEMAS", "public,api", "PARLEY_MAX_BODY_BYTES", "100000"));
    static final RestCalls rest = new RestCalls(gw);
    static UUID alice;
    static UUID bob;

    @BeforeAll
    static void start() {
        alice = gw.createUser("alice@example.com");
        bob = gw.createUser("bob@example.com");
        gw.sql("""
                create table clients (id int primary key, name text not null);
                create table projects (id int primary key, name text not null, client_id int references clients);
                insert into clients values (1, 'Microsoft'), (2, 'Apple');
                insert into projects values (1, 'Windows 7', 1), (2, 'Windows 10', 1), (3, 'IOS', 2), (4, 'OSX', 2), (5, 'Orphan', null);
                create table notes (id serial primary key, owner uuid not null, body text not null);
                alter table notes enable row level security;
                create policy notes_own on notes using (owner = auth.uid()) with check (owner = auth.uid());
                create table calls (n int);
                insert into notes (owner, body) values ('%s', 'alice 1'), ('%s', 'alice 2'), ('%s', 'bob 1');

                create function add_them(a int, b int) returns int language sql immutable as $$ select a + b $$;
                create function greet(name text default 'guest') returns text language sql immutable as $$ select 'Hello ' || name || '!' $$;
                create function ret_void() returns void language sql as $$ select $$;
                create function ret_null() returns int language sql as $$ select null::int $$;
                create function ret_array() returns int[] language sql as $$ select array[1,2,3] $$;
                create function ret_setof_ints() returns setof int language sql as $$ values (1), (2), (3) $$;
                create function getallprojects() returns setof projects language sql stable as $$ select * from projects $$;
                create function getproject(id int) returns setof projects language sql stable as $$ select * from projects p where p.id = getproject.id $$;
                create function single_project(id int) returns projects language sql stable as $$ select * from projects p where p.id = single_project.id $$;
                create function items_between(lo int, hi int) returns table(id int, label text) language sql stable
                  as $$ select g, 'item ' || g from generate_series(lo, hi) g $$;
                create function plus_one(out num_plus_one int, num int) language sql as $$ select num + 1 $$;
                create function many_out(out a int, out b text) language sql as $$ select 1, 'two' $$;
                create function variadic_param(variadic v text[] default '{}') returns text[] language sql immutable as $$ select v $$;
                create function sum_all(variadic nums int[]) returns int language sql immutable as $$ select sum(x)::int from unnest(nums) x $$;
                create function mult_them(json) returns int language sql as $$ select ($1->>'x')::int * ($1->>'y')::int $$;
                create function echo_text(text) returns text language sql as $$ select $1 $$;
                create function byte_length(bytea) returns int language sql as $$ select length($1) $$;
                create function named_json(payload jsonb) returns jsonb language sql as $$ select payload $$;
                create function json_kind(arg json) returns text language sql as $$ select json_typeof(arg) $$;
                create function varied(i int, d date, t text[], j jsonb, b boolean) returns json language sql
                  as $$ select json_build_object('i', i, 'd', d, 't', t, 'j', j, 'b', b) $$;
                create function overloaded() returns setof int language sql as $$ values (1), (2), (3) $$;
                create function overloaded(a int, b int) returns int language sql as $$ select a + b $$;
                create function overloaded(a text, b text, c text) returns text language sql as $$ select a || b || c $$;
                create function same_args(arg int) returns int language sql as $$ select arg $$;
                create function same_args(arg text) returns text language sql as $$ select arg $$;
                create function count_call() returns int language sql volatile as $$ insert into calls values (1); select count(*)::int from calls $$;
                create function add_note(body text) returns setof notes language sql volatile
                  as $$ insert into notes (owner, body) values (auth.uid(), body) returning * $$;
                create function my_notes() returns setof notes language sql stable as $$ select * from notes order by id $$;
                create function note_count() returns bigint language sql stable as $$ select count(*) from notes $$;
                create function whoami() returns json language sql stable
                  as $$ select json_build_object('role', current_user, 'sub', auth.uid(), 'claim', current_setting('request.jwt.claims', true)::json->>'role') $$;
                create function raise_plain() returns int language plpgsql as $$ begin raise exception 'plain problem'; end $$;
                create function raise_pt402() returns int language plpgsql as $$
                  begin raise sqlstate 'PT402' using message = 'Payment Required', detail = 'Quota exceeded', hint = 'Upgrade your plan'; end $$;
                create function raise_unique() returns int language plpgsql as $$ begin raise unique_violation using message = 'taken'; end $$;
                create function raise_pgrst() returns int language plpgsql as $$ begin
                  raise sqlstate 'PGRST' using message = '{"code":"123","message":"ABC","details":"DEF","hint":"XYZ"}',
                    detail = '{"status":418,"status_text":"Short and stout","headers":{"X-Header":"str"}}'; end $$;
                create function raise_pgrst_bad_message() returns int language plpgsql as $$ begin
                  raise sqlstate 'PGRST' using message = 'INVALID', detail = '{"status":400,"headers":{}}'; end $$;
                create function raise_pgrst_no_detail() returns int language plpgsql as $$ begin
                  raise sqlstate 'PGRST' using message = '{"code":"1","message":"m"}'; end $$;
                create function created() returns json language plpgsql as $$ begin
                  perform set_config('response.status', '201', true);
                  perform set_config('response.headers', '[{"Location": "/things/1"}, {"Cache-Control": "max-age=60"}]', true);
                  return '{"id": 1}'; end $$;
                create function bad_status() returns int language plpgsql as $$ begin
                  perform set_config('response.status', 'abc', true); return 1; end $$;
                create function bad_headers() returns void language plpgsql as $$ begin
                  perform set_config('response.headers', '{"a": "b"}', true); end $$;
                create function touch() returns trigger language plpgsql as $$ begin return new; end $$;
                create function assert_fails() returns int language plpgsql as $$ begin assert false, 'nope'; return 1; end $$;
                create function "quotedFunction"("user" text, "fullName" text) returns json language sql
                  as $$ select json_build_object('user', "user", 'fullName', "fullName") $$;

                create schema api;
                grant usage on schema api to anon, authenticated, service_role;
                create function api.hello(name text) returns text language sql as $$ select 'api says hi to ' || name $$;
                grant execute on function api.hello(text) to anon, authenticated, service_role;
                """.formatted(alice, alice, bob));
        rest.awaitFunction("quotedFunction?user=x&fullName=y");
    }

    /** A POST whose headers replace the JSON Content-Type when they name another. */
    static HttpResponse<String> post(String path, String body, String... headers) {
        return call("POST", path, gw.serviceKey(), body, headers);
    }

    static HttpResponse<String> call(String method, String path, String token, String body, String... headers) {
        java.net.http.HttpRequest.Builder b = gw.request("/rest/v1/rpc/" + RestCalls.escape(path))
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (body != null) b.setHeader("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) b.setHeader(headers[i], headers[i + 1]);
        return gw.send(b.build());
    }

    static HttpResponse<String> get(String path, String... headers) {
        return rest.get("/rpc/" + path, gw.serviceKey(), headers);
    }

    static void assertJson(String expected, HttpResponse<String> r) {
        try {
            assertEquals(dev.parley.http.Json.MAPPER.readTree(expected), json(r), r.body());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Nested
    class Scalars {
        @Test
        void postWithNamedArgumentsReturnsTheBareValue() {
            HttpResponse<String> r = post("add_them", "{\"a\": 1, \"b\": 2}");
            assertEquals(200, r.statusCode());
            assertEquals("3", r.body());
            assertTrue(header(r, "Content-Type").startsWith("application/json"));
            assertEquals("0-0/*", header(r, "Content-Range"));
        }

        @Test
        void getWithArgumentsInTheQueryString() {
            HttpResponse<String> r = get("add_them?a=3&b=4", "Prefer", "count=exact");
            assertEquals(200, r.statusCode());
            assertEquals("7", r.body());
            assertEquals("0-0/1", header(r, "Content-Range"));
        }

        @Test
        void headHasNoBody() {
            HttpResponse<String> r = rest.send("HEAD", "/rpc/add_them?a=3&b=4", gw.serviceKey(), null);
            assertEquals(200, r.statusCode());
            assertEquals("", r.body());
        }

        @Test
        void defaultsFillMissingArguments() {
            assertEquals("\"Hello guest!\"", get("greet").body());
            assertEquals("\"Hello Ann!\"", get("greet?name=Ann").body());
            assertEquals("\"Hello Bo!\"", post("greet", "{\"name\": \"Bo\"}").body());
            assertEquals("\"Hello guest!\"", post("greet", "").body());
        }

        @Test
        void voidIs204WithoutBodyOrContentType() {
            HttpResponse<String> r = post("ret_void", "{}");
            assertEquals(204, r.statusCode());
            assertEquals("", r.body());
            assertTrue(r.headers().firstValue("Content-Type").isEmpty());
        }

        @Test
        void nullArrayAndSetOfScalars() {
            assertEquals("null", post("ret_null", "{}").body());
            assertJson("[1,2,3]", post("ret_array", "{}"));
            assertJson("[1,2,3]", post("ret_setof_ints", "{}"));
            assertJson("[2,3]", get("ret_setof_ints?offset=1"));
        }

        @Test
        void quotedNamesWork() {
            assertJson("{\"user\":\"ms\",\"fullName\":\"Michael Scott\"}", get("quotedFunction?user=ms&fullName=Michael%20Scott"));
        }

        @Test
        void argumentsOfManyTypesFromJsonAndFromTheQueryString() {
            assertJson("{\"i\":43,\"d\":\"2019-01-01\",\"t\":[\"a\",\"b,c\"],\"j\":{\"k\":[1,\"2\"]},\"b\":true}",
                    post("varied", "{\"i\":43,\"d\":\"20190101\",\"t\":[\"a\",\"b,c\"],\"j\":{\"k\":[1,\"2\"]},\"b\":true}"));
            assertJson("{\"i\":43,\"d\":\"2019-01-01\",\"t\":[\"a\",\"b\"],\"j\":{\"k\":1},\"b\":false}",
                    get("varied?i=43&d=2019-01-01&t=" + RestCalls.enc("{a,b}") + "&j=" + RestCalls.enc("{\"k\":1}") + "&b=false"));
            assertEquals("\"object\"", post("json_kind", "{\"arg\": {\"key\": 3}}").body());
            assertEquals("\"string\"", post("json_kind", "{\"arg\": \"{\\\"key\\\": 3}\"}").body());
        }

        @Test
        void formBodiesAreArgumentsToo() {
            HttpResponse<String> r = post("add_them", "a=1&b=2", "Content-Type", "application/x-www-form-urlencoded");
            assertEquals("3", r.body());
        }

        @Test
        void onlyTheFirstObjectOfAnArrayIsUsed() {
            assertEquals("3", post("add_them", "[{\"a\":1,\"b\":2},{\"a\":4,\"b\":6}]").body());
        }

        @Test
        void columnsNarrowsTheBodyKeys() {
            assertEquals("\"Hello John!\"", post("greet?columns=name", "{\"name\":\"John\",\"other\":1}").body());
        }
    }

    @Nested
    class Sets {
        @Test
        void selectFiltersOrderAndPagingApplyToSetResults() {
            assertJson("[{\"id\":4},{\"id\":3}]", get("getallprojects?id=gt.1&id=lt.5&select=id&order=id.desc&limit=2"));
            HttpResponse<String> r = post("getallprojects?id=gt.1&select=id&limit=2&offset=1", "{}", "Prefer", "count=exact");
            assertEquals(206, r.statusCode());
            assertJson("[{\"id\":3},{\"id\":4}]", r);
            assertEquals("1-2/4", header(r, "Content-Range"));
            assertEquals("count=exact", header(r, "Preference-Applied"));
        }

        @Test
        void headWithACountAnswersTheTotalOnly() {
            HttpResponse<String> r = call("HEAD", "items_between?lo=1&hi=4&id=gt.1&limit=2", gw.anonKey(), null, "Prefer", "count=exact");
            assertEquals(206, r.statusCode());
            assertEquals("", r.body());
            assertEquals("0-1/3", header(r, "Content-Range"));
            assertTrue(header(r, "Content-Type").startsWith("application/json"));
        }

        @Test
        void anArgumentAndAFilterMayShareAName() {
            assertJson("[{\"id\":2,\"name\":\"Windows 10\"}]", get("getproject?id=2&id=gt.1&select=id,name"));
            assertJson("[]", get("getproject?id=2&id=gt.2"));
        }

        @Test
        void rangeHeaderPagesGetRequests() {
            HttpResponse<String> r = get("items_between?lo=1&hi=5&select=id", "Range", "1-2", "Prefer", "count=exact");
            assertEquals(206, r.statusCode());
            assertJson("[{\"id\":2},{\"id\":3}]", r);
            assertEquals("1-2/5", header(r, "Content-Range"));
        }

        @Test
        void rangeHeaderIsIgnoredOnPost() {
            HttpResponse<String> r = post("items_between?select=id", "{\"lo\":1,\"hi\":3}", "Range", "1-1");
            assertJson("[{\"id\":1},{\"id\":2},{\"id\":3}]", r);
            assertEquals("0-2/*", header(r, "Content-Range"));
        }

        @Test
        void setOfATableTypeEmbedsRelatedTables() {
            assertJson("[{\"id\":1,\"client\":{\"name\":\"Microsoft\"}}]", get("getproject?id=1&select=id,client:clients(name)"));
            assertJson("[{\"name\":\"IOS\",\"clients\":{\"id\":2}}]",
                    post("getallprojects?select=name,clients!inner(id)&clients.id=eq.2&limit=1", "{}"));
        }

        @Test
        void singleCompositeIsAnObject() {
            assertJson("{\"id\":2,\"name\":\"Windows 10\",\"client_id\":1}", post("single_project", "{\"id\":2}"));
            assertJson("{\"id\":2}", get("single_project?id=2&select=id"));
        }

        @Test
        void outAndTableParametersGiveRows() {
            assertJson("{\"num_plus_one\":6}", get("plus_one?num=5"));
            assertJson("{\"a\":1,\"b\":\"two\"}", get("many_out"));
            assertJson("[{\"id\":1,\"label\":\"item 1\"},{\"id\":2,\"label\":\"item 2\"}]", get("items_between?lo=1&hi=2"));
        }

        @Test
        void singularAcceptTakesTheOneRowOrRefuses() {
            HttpResponse<String> r = get("getproject?id=3", "Accept", "application/vnd.pgrst.object+json");
            assertEquals(200, r.statusCode());
            assertJson("{\"id\":3,\"name\":\"IOS\",\"client_id\":2}", r);
            r = get("getallprojects", "Accept", "application/vnd.pgrst.object+json");
            assertEquals(406, r.statusCode());
            assertEquals("PGRST116", json(r).get("code").asText());
        }

        @Test
        void csvOutput() {
            HttpResponse<String> r = get("items_between?lo=2&hi=3&select=id", "Accept", "text/csv");
            assertEquals(200, r.statusCode());
            assertEquals("id\n2\n3", r.body());
        }

        @Test
        void plannedAndEstimatedCountsWork() {
            for (String count : new String[] {"count=planned", "count=estimated"}) {
                HttpResponse<String> r = get("getallprojects?select=id&limit=1", "Prefer", count);
                assertEquals(200, r.statusCode() == 206 ? 200 : r.statusCode(), r.body());
                assertTrue(header(r, "Content-Range").matches("0-0/\\d+"), header(r, "Content-Range"));
            }
        }
    }

    @Nested
    class Variadic {
        @Test
        void postTakesAnArray() {
            assertJson("[\"hi\",\"there\"]", post("variadic_param", "{\"v\":[\"hi\",\"there\"]}"));
            assertEquals("6", post("sum_all", "{\"nums\":[1,2,3]}").body());
        }

        @Test
        void getRepeatsTheParameter() {
            assertJson("[]", get("variadic_param"));
            assertJson("[\"hi\"]", get("variadic_param?v=hi"));
            assertJson("[\"hi\",\"a,b\"]", get("variadic_param?v=hi&v=" + RestCalls.enc("a,b")));
            assertEquals("6", get("sum_all?nums=1&nums=2&nums=3").body());
        }

        @Test
        void aRepeatedPlainParameterTakesTheLastValue() {
            assertEquals("\"Hello world!\"", get("greet?name=ignored&name=world").body());
        }
    }

    @Nested
    class SingleBodyParameter {
        @Test
        void unnamedJsonTakesTheWholeBody() {
            assertEquals("8", post("mult_them", "{\"x\":4,\"y\":2}").body());
        }

        @Test
        void namedJsonParameterIsNotAFallback() {
            HttpResponse<String> r = post("named_json", "{\"A\":1,\"B\":2,\"C\":3}");
            assertEquals(404, r.statusCode());
            assertJson("""
                    {"code":"PGRST202","message":"Could not find the function public.named_json(A, B, C) in the schema cache",
                     "details":"Searched for the function public.named_json with parameters A, B, C or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.",
                     "hint":null}""", r);
        }

        @Test
        void paramsSingleObjectPassesTheBodyToTheOneJsonParameter() {
            assertJson("{\"A\":1,\"B\":[2]}", post("named_json", "{\"A\":1,\"B\":[2]}", "Prefer", "params=single-object"));
        }

        @Test
        void rawTextAndBytes() {
            assertEquals("\"unnamed text arg\"", post("echo_text", "unnamed text arg", "Content-Type", "text/plain").body());
            assertEquals("5", post("byte_length", "\u0001\u0002abc", "Content-Type", "application/octet-stream").body());
            HttpResponse<String> r = post("add_them", "x", "Content-Type", "text/plain");
            assertEquals(404, r.statusCode());
            assertJson("""
                    {"code":"PGRST202","message":"Could not find the function public.add_them in the schema cache",
                     "details":"Searched for the function public.add_them with a single unnamed text parameter, but no matches were found in the schema cache.",
                     "hint":null}""", r);
        }
    }

    @Nested
    class Overloads {
        @Test
        void theArgumentNamesChooseTheOverload() {
            assertJson("[1,2,3]", get("overloaded"));
            assertEquals("3", get("overloaded?a=1&b=2").body());
            assertEquals("\"123\"", get("overloaded?a=1&b=2&c=3").body());
            assertEquals("3", post("overloaded", "{\"a\":1,\"b\":2}").body());
        }

        @Test
        void unknownArgumentsAre404WithAHintOfTheClosestParameters() {
            HttpResponse<String> r = get("add_them?a=1&b=2&smthelse=blabla");
            assertEquals(404, r.statusCode());
            assertJson("""
                    {"hint":"Perhaps you meant to call the function public.add_them(a, b)",
                     "message":"Could not find the function public.add_them(a, b, smthelse) in the schema cache",
                     "code":"PGRST202",
                     "details":"Searched for the function public.add_them with parameters a, b, smthelse, but no matches were found in the schema cache."}""", r);
            r = get("overloaded?wrong_arg=value");
            assertEquals(404, r.statusCode());
            assertTrue(json(r).get("hint").isNull(), r.body());
        }

        @Test
        void unknownFunctionIs404WithAHintOfTheClosestName() {
            HttpResponse<String> r = get("add_the");
            assertEquals(404, r.statusCode());
            assertJson("""
                    {"hint":"Perhaps you meant to call the function public.add_them",
                     "message":"Could not find the function public.add_the without parameters in the schema cache",
                     "code":"PGRST202",
                     "details":"Searched for the function public.add_the without parameters, but no matches were found in the schema cache."}""", r);
            r = post("no_such_thing_at_all", "{}");
            assertEquals(404, r.statusCode());
            assertEquals("Searched for the function public.no_such_thing_at_all without parameters or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.",
                    json(r).get("details").asText());
            assertTrue(json(r).get("hint").isNull());
        }

        @Test
        void triggerFunctionsAreNotCallable() {
            HttpResponse<String> r = post("touch", "{}");
            assertEquals(404, r.statusCode());
            assertEquals("PGRST202", json(r).get("code").asText());
        }

        @Test
        void hostileNamesAreUnknownFunctionsOrParameters() {
            assertEquals(404, get("add_them\"();drop table notes;--").statusCode());
            assertEquals(404, get("add_them?a=1&" + RestCalls.enc("b\" := 1); drop table notes; --") + "=2").statusCode());
            assertEquals(404, get("").statusCode());
            assertEquals(404, get("add_them/x?a=1&b=2").statusCode());
            assertTrue(Integer.parseInt(get("note_count").body()) >= 3);
        }

        @Test
        void sameNamesDifferentTypesIs300() {
            HttpResponse<String> r = get("same_args?arg=1");
            assertEquals(300, r.statusCode());
            assertJson("""
                    {"hint":"Try renaming the parameters or the function itself in the database so function overloading can be resolved",
                     "message":"Could not choose the best candidate function between: public.same_args(arg => integer), public.same_args(arg => text)",
                     "code":"PGRST203","details":null}""", r);
        }
    }

    @Nested
    class Transactions {
        @Test
        void aVolatileFunctionThatWritesFailsOverGet() {
            HttpResponse<String> r = get("count_call");
            assertEquals(405, r.statusCode());
            assertEquals("25006", json(r).get("code").asText());
        }

        @Test
        void postRunsTheFunctionExactlyOnceEvenWithACount() {
            gw.sql("truncate calls");
            HttpResponse<String> r = post("count_call", "{}", "Prefer", "count=exact");
            assertEquals("1", r.body());
            assertEquals("2", post("count_call", "{}").body());
            // CSV with a count would need a second statement: a volatile function still runs once.
            r = post("count_call", "{}", "Prefer", "count=exact", "Accept", "text/csv");
            assertEquals("pgrst_scalar\n3", r.body());
            assertEquals("0-0/*", header(r, "Content-Range"));
            assertEquals("4", post("count_call", "{}").body());
        }

        @Test
        void optionsListsTheMethodsAFunctionTakes() {
            HttpResponse<String> r = call("OPTIONS", "add_them?a=1&b=2", gw.serviceKey(), null);
            assertEquals(200, r.statusCode());
            assertEquals("OPTIONS,GET,HEAD,POST", header(r, "Allow"));
            assertEquals("OPTIONS,POST", header(call("OPTIONS", "count_call", gw.serviceKey(), null), "Allow"));
            assertEquals(404, call("OPTIONS", "nope", gw.serviceKey(), null).statusCode());
        }

        @Test
        void otherMethodsAre405() {
            HttpResponse<String> r = rest.send("DELETE", "/rpc/add_them", gw.serviceKey(), null);
            assertEquals(405, r.statusCode());
            assertJson("{\"code\":\"PGRST101\",\"message\":\"Cannot use the DELETE method on RPC\",\"details\":null,\"hint\":null}", r);
            assertEquals(405, rest.send("PATCH", "/rpc/add_them", gw.serviceKey(), "{}").statusCode());
        }
    }

    @Nested
    class Security {
        @Test
        void functionsRunAsTheCallerWithRowLevelSecurity() {
            assertJson("[]", rest.get("/rpc/my_notes?select=body", gw.anonKey()));
            assertJson("[{\"body\":\"alice 1\"},{\"body\":\"alice 2\"}]", rest.get("/rpc/my_notes?select=body", gw.userToken(alice)));
            JsonNode bobs = json(rest.get("/rpc/my_notes?select=body", gw.userToken(bob)));
            assertEquals("bob 1", bobs.get(0).get("body").asText());
            for (JsonNode n : bobs) assertTrue(n.get("body").asText().startsWith("bob"), bobs.toString());
            assertEquals("0", rest.get("/rpc/note_count", gw.anonKey()).body());
            assertEquals(bobs.size(), Integer.parseInt(rest.get("/rpc/note_count", gw.userToken(bob)).body()));
            assertTrue(Integer.parseInt(get("note_count").body()) >= 3);
        }

        @Test
        void claimsAreSetInsideFunctions() {
            JsonNode me = json(rest.get("/rpc/whoami", gw.userToken(alice)));
            assertEquals("authenticated", me.get("role").asText());
            assertEquals(alice.toString(), me.get("sub").asText());
            assertEquals("authenticated", me.get("claim").asText());
            assertEquals("anon", json(rest.get("/rpc/whoami", gw.anonKey())).get("role").asText());
        }

        @Test
        void writesInsideFunctionsAreCheckedByPolicies() {
            int before = Integer.parseInt(rest.get("/rpc/note_count", gw.userToken(bob)).body());
            HttpResponse<String> r = rest.send("POST", "/rpc/add_note?select=body", gw.userToken(bob), "{\"body\":\"bob 2\"}");
            assertEquals(200, r.statusCode(), r.body());
            assertJson("[{\"body\":\"bob 2\"}]", r);
            r = rest.send("POST", "/rpc/add_note", gw.anonKey(), "{\"body\":\"anon\"}");
            assertTrue(r.statusCode() == 400 || r.statusCode() == 401, r.statusCode() + " " + r.body());
            assertEquals(before + 1, Integer.parseInt(rest.get("/rpc/note_count", gw.userToken(bob)).body()));
        }

        @Test
        void revokedExecuteIsRefused() {
            gw.sql("create function secret() returns int language sql as $$ select 42 $$; revoke execute on function secret() from public, anon, authenticated");
            rest.awaitFunction("secret");
            HttpResponse<String> r = rest.get("/rpc/secret", gw.anonKey());
            assertEquals(401, r.statusCode(), r.body());
            assertEquals("42501", json(r).get("code").asText());
            assertEquals(403, rest.get("/rpc/secret", gw.userToken(alice)).statusCode());
            assertEquals("42", rest.get("/rpc/secret", gw.serviceKey()).body());
        }

        @Test
        void argumentValuesAreData() {
            assertEquals("\"Hello x'); drop table notes; --!\"", get("greet?name=" + RestCalls.enc("x'); drop table notes; --")).body());
            HttpResponse<String> r = post("add_them", "{\"a\":\"1; drop table notes\",\"b\":2}");
            assertEquals(400, r.statusCode());
            assertEquals("22P02", json(r).get("code").asText());
            assertTrue(Integer.parseInt(get("note_count").body()) >= 3);
        }
    }

    @Nested
    class Errors {
        @Test
        void raisedExceptionsMapAsPostgrest() {
            HttpResponse<String> r = get("raise_plain");
            assertEquals(400, r.statusCode());
            assertJson("{\"code\":\"P0001\",\"message\":\"plain problem\",\"details\":null,\"hint\":null}", r);
            r = get("raise_pt402");
            assertEquals(402, r.statusCode());
            assertJson("{\"hint\":\"Upgrade your plan\",\"details\":\"Quota exceeded\",\"code\":\"PT402\",\"message\":\"Payment Required\"}", r);
            assertEquals(409, get("raise_unique").statusCode());
            assertEquals(500, get("assert_fails").statusCode());
        }

        @Test
        void raiseSqlstatePgrstChoosesTheWholeAnswer() {
            HttpResponse<String> r = get("raise_pgrst");
            assertEquals(418, r.statusCode());
            assertEquals("str", header(r, "X-Header"));
            assertJson("{\"code\":\"123\",\"message\":\"ABC\",\"details\":\"DEF\",\"hint\":\"XYZ\"}", r);
            r = get("raise_pgrst_bad_message");
            assertEquals(500, r.statusCode());
            assertJson("""
                    {"code":"PGRST121","message":"Could not parse JSON in the \\"RAISE SQLSTATE 'PGRST'\\" error",
                     "details":"Invalid JSON value for MESSAGE: 'INVALID'",
                     "hint":"MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'."}""", r);
            r = get("raise_pgrst_no_detail");
            assertEquals(500, r.statusCode());
            assertEquals("DETAIL is missing in the RAISE statement", json(r).get("details").asText());
        }

        @Test
        void functionsMayChooseStatusAndHeaders() {
            HttpResponse<String> r = post("created", "{}");
            assertEquals(201, r.statusCode());
            assertEquals("/things/1", header(r, "Location"));
            assertEquals("max-age=60", header(r, "Cache-Control"));
            assertJson("{\"id\":1}", r);
            r = get("bad_status");
            assertEquals(500, r.statusCode());
            assertEquals("PGRST112", json(r).get("code").asText());
            r = post("bad_headers", "{}");
            assertEquals(500, r.statusCode());
            assertEquals("PGRST111", json(r).get("code").asText());
        }

        @Test
        void badBodiesAre400() {
            HttpResponse<String> r = post("add_them", "sdfsdf");
            assertEquals(400, r.statusCode());
            assertJson("{\"code\":\"PGRST102\",\"message\":\"Empty or invalid json\",\"details\":null,\"hint\":null}", r);
            r = post("add_them", "[{\"a\":1,\"b\":2},{\"a\":1}]");
            assertEquals(400, r.statusCode());
            assertEquals("All object keys must match", json(r).get("message").asText());
            r = post("add_them", "{\"a\":1,\"b\":2}", "Content-Type", "application/xml");
            assertEquals(400, r.statusCode());
            assertEquals("PGRST102", json(r).get("code").asText());
            r = post("add_them", "{\"a\":\"x\",\"b\":2}");
            assertEquals(400, r.statusCode());
            assertEquals("22P02", json(r).get("code").asText());
        }

        @Test
        void queryParametersOnPostAreFilters() {
            HttpResponse<String> r = post("greet?name=John", "{\"name\":\"John\"}");
            assertEquals(400, r.statusCode());
            assertEquals("PGRST100", json(r).get("code").asText());
        }

        @Test
        void filtersOnScalarResultsNameNoColumn() {
            HttpResponse<String> r = get("getallprojects?nope=eq.1");
            assertEquals(400, r.statusCode());
            assertEquals("42703", json(r).get("code").asText());
        }

        @Test
        void bodiesAboveTheLimitAre413() {
            String big = "{\"name\":\"" + "x".repeat(200_000) + "\"}";
            assertEquals(413, post("greet", big).statusCode());
        }
    }

    @Nested
    class Profiles {
        @Test
        void otherSchemasThroughProfiles() {
            HttpResponse<String> r = rest.send("POST", "/rpc/hello", gw.serviceKey(), "{\"name\":\"Ann\"}", "Content-Profile", "api");
            assertEquals("\"api says hi to Ann\"", r.body());
            r = rest.get("/rpc/hello?name=Bo", gw.anonKey(), "Accept-Profile", "api");
            assertEquals("\"api says hi to Bo\"", r.body());
            r = rest.get("/rpc/hello?name=Bo", gw.anonKey());
            assertEquals(404, r.statusCode());
            assertEquals("Could not find the function public.hello(name) in the schema cache", json(r).get("message").asText());
            r = rest.get("/rpc/hello?name=Bo", gw.anonKey(), "Accept-Profile", "nope");
            assertEquals(406, r.statusCode());
            assertEquals("PGRST106", json(r).get("code").asText());
        }
    }

    @Nested
    class SchemaCache {
        @Test
        void newFunctionsAppearWithoutRestart() {
            gw.sql("create function brand_new() returns text language sql as $$ select 'new' $$");
            rest.awaitFunction("brand_new");
            assertEquals("\"new\"", get("brand_new").body());
        }
    }
}
