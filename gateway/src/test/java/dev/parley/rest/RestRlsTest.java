package dev.parley.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.parley.rest.RestCalls.error;
import static dev.parley.rest.RestCalls.header;
import static dev.parley.rest.RestCalls.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Row level security per role: anon, two signed-in users with different rows, and service_role
 * (which bypasses RLS), on reads, embeds, counts and every kind of write.
 */
@Timeout(60)
class RestRlsTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final RestCalls rest = new RestCalls(gw);
    static UUID ann;
    static UUID bob;
    static String annToken;
    static String bobToken;

    @BeforeAll
    static void start() {
        ann = gw.createUser("ann@example.com");
        bob = gw.createUser("bob@example.com");
        annToken = gw.userToken(ann);
        bobToken = gw.userToken(bob);
        gw.sql("""
                create table lists (id int primary key, owner uuid not null default auth.uid(), name text);
                create table todos (id int primary key, owner uuid not null default auth.uid(), title text,
                                    public boolean not null default false, list_id int references lists);
                alter table lists enable row level security;
                alter table todos enable row level security;
                create policy lists_own on lists for all using (owner = auth.uid()) with check (owner = auth.uid());
                create policy todos_read on todos for select using (owner = auth.uid() or public);
                create policy todos_insert on todos for insert to authenticated with check (owner = auth.uid());
                create policy todos_update on todos for update to authenticated using (owner = auth.uid())
                  with check (owner = auth.uid());
                create policy todos_delete on todos for delete to authenticated using (owner = auth.uid());
                revoke insert, update, delete on todos from anon;
                """);
        gw.sql("insert into lists values (1, '" + ann + "', 'ann list'), (2, '" + bob + "', 'bob list');"
                + "insert into todos values (1, '" + ann + "', 'ann 1', false, 1), (2, '" + ann + "', 'ann 2', false, 1),"
                + " (3, '" + bob + "', 'bob 1', false, 2), (4, '" + bob + "', 'bob public', true, 2)");
        rest.awaitTable("todos");
    }

    static String ids(String token, String query) {
        JsonNode rows = ok(rest.get("/todos?select=id&order=id&" + query, token));
        List<String> out = new ArrayList<>();
        for (JsonNode r : rows) out.add(r.get("id").asText());
        return String.join(",", out);
    }

    @Test
    void eachRoleReadsWhatItsPoliciesAllow() {
        assertEquals("4", ids(gw.anonKey(), ""));
        assertEquals("4", ids(null, ""));
        assertEquals("1,2,4", ids(annToken, ""));
        assertEquals("3,4", ids(bobToken, ""));
        assertEquals("1,2,3,4", ids(gw.serviceKey(), ""));
        // the apikey header alone (supabase-js sends it with every request) is enough
        HttpResponse<String> r = gw.send(gw.request("/rest/v1/todos?select=id").header("apikey", gw.serviceKey()).GET().build());
        assertEquals(4, ok(r).size());
    }

    @Test
    void countsAndEmbedsSeeOnlyVisibleRows() {
        HttpResponse<String> r = rest.get("/todos?select=id", annToken, "Prefer", "count=exact");
        assertEquals("0-2/3", header(r, "Content-Range"));
        // bob's public todo embeds bob's list, which ann may not see: null
        assertEquals("[{\"id\":2,\"lists\":{\"name\":\"ann list\"}},{\"id\":4,\"lists\":null}]",
                RestCalls.compact(rest.get("/todos?select=id,lists(name)&id=in.(2,4)&order=id", annToken)));
        assertEquals("[{\"name\":\"ann list\",\"todos\":[{\"id\":1},{\"id\":2}]}]",
                RestCalls.compact(rest.get("/lists?select=name,todos(id)&todos.order=id", annToken)));
    }

    @Test
    void usersWriteOnlyTheirOwnRows() {
        HttpResponse<String> r = rest.send("POST", "/todos", annToken, "{\"id\":10,\"title\":\"mine\"}", "Prefer", "return=representation");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(ann.toString(), ok(r).get(0).get("owner").asText());

        var body = error(rest.send("POST", "/todos", annToken, "{\"id\":11,\"title\":\"forged\",\"owner\":\"" + bob + "\"}"), 403, "42501");
        assertEquals("new row violates row-level security policy for table \"todos\"", body.get("message").asText());
        assertEquals("0", rest.scalar("select count(*) from todos where id = 11"));

        // bob's rows are invisible to ann's PATCH and DELETE: nothing happens
        r = rest.send("PATCH", "/todos?id=eq.3", annToken, "{\"title\":\"hacked\"}", "Prefer", "count=exact");
        assertEquals(204, r.statusCode());
        assertEquals("*/0", header(r, "Content-Range"));
        r = rest.send("DELETE", "/todos?id=in.(3,4)", annToken, null, "Prefer", "count=exact");
        assertEquals(204, r.statusCode());
        assertEquals("*/0", header(r, "Content-Range"));
        assertEquals("bob 1", rest.scalar("select title from todos where id = 3"));
        assertEquals("2", rest.scalar("select count(*) from todos where owner = '" + bob + "'"));

        // giving away her own row fails the update's check
        error(rest.send("PATCH", "/todos?id=eq.10", annToken, "{\"owner\":\"" + bob + "\"}"), 403, "42501");
        r = rest.send("DELETE", "/todos?id=eq.10", annToken, null, "Prefer", "return=representation");
        assertEquals(200, r.statusCode());
        assertEquals(1, ok(r).size());
    }

    @Test
    void anonWithoutGrantsIs401AndUsersAre403() {
        var body = error(rest.send("POST", "/todos", gw.anonKey(), "{\"id\":20,\"title\":\"anon\"}"), 401, "42501");
        assertEquals("permission denied for table todos", body.get("message").asText());
        error(rest.send("DELETE", "/todos?id=eq.4", gw.anonKey(), null), 401, "42501");
        gw.sql("create table secrets (id int); revoke all on secrets from anon, authenticated;");
        rest.awaitTable("secrets");
        error(rest.get("/secrets", gw.anonKey()), 401, "42501");
        error(rest.get("/secrets", annToken), 403, "42501");
        assertEquals("[]", RestCalls.compact(rest.get("/secrets")));
        assertEquals("1", rest.scalar("select count(*) from todos where id = 4"));
    }

    @Test
    void serviceRoleBypassesRls() {
        HttpResponse<String> r = rest.send("PATCH", "/todos?id=eq.3", gw.serviceKey(), "{\"title\":\"by service\"}",
                "Prefer", "return=representation");
        assertEquals("by service", ok(r).get(0).get("title").asText());
        r = rest.send("POST", "/todos", gw.serviceKey(), "{\"id\":30,\"title\":\"for bob\",\"owner\":\"" + bob + "\"}");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("3,4,30", ids(bobToken, ""));
    }

    @Test
    void badTokensAre401NeverAnon() {
        error(rest.get("/todos", "not-a-jwt"), 401, "PGRST301");
        String expired = gw.gateway().context().jwt().sign(java.util.Map.of("sub", ann.toString(), "role", "authenticated",
                "exp", java.time.Instant.now().getEpochSecond() - 10), 0);
        error(rest.get("/todos", expired), 401, "PGRST303");
        String forged = annToken.substring(0, annToken.lastIndexOf('.') + 1) + "AAAA";
        error(rest.get("/todos", forged), 401, "PGRST301");
    }
}
