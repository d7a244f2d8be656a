package dev.parley.rest;

import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;

import static dev.parley.rest.RestCalls.compact;
import static dev.parley.rest.RestCalls.error;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The schema cache follows DDL without a restart: the event triggers of sql/V2 send
 * {@code NOTIFY pgrst, 'reload schema'} after any DDL, and the same NOTIFY sent by hand works too.
 */
@Timeout(60)
class RestSchemaReloadTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final RestCalls rest = new RestCalls(gw);

    @Test
    void createAlterAndDropAreFollowed() {
        error(rest.get("/planets"), 404, "PGRST205");
        gw.sql("create table planets (id int primary key, name text); insert into planets values (1, 'Mercury')");
        rest.awaitTable("planets");
        assertEquals("[{\"id\":1,\"name\":\"Mercury\"}]", compact(rest.get("/planets")));

        gw.sql("alter table planets add column moons int default 0");
        rest.awaitStatus("/planets?select=moons", s -> s == 200, "new column");
        assertEquals("[{\"id\":1,\"name\":\"Mercury\",\"moons\":0}]", compact(rest.get("/planets")));

        gw.sql("alter table planets rename column name to title");
        rest.awaitStatus("/planets?select=title", s -> s == 200, "renamed column");
        error(rest.get("/planets?select=name"), 400, "42703");

        gw.sql("create table moons (id int primary key, planet_id int references planets, name text);"
                + "insert into moons values (1, 1, 'none really')");
        rest.awaitStatus("/planets?select=title,moons(name)", s -> s == 200, "new relationship");
        assertEquals("[{\"title\":\"Mercury\",\"moons\":[{\"name\":\"none really\"}]}]",
                compact(rest.get("/planets?select=title,moons(name)")));

        gw.sql("drop table moons; drop table planets");
        awaitCode("/planets", "PGRST205");
    }

    @Test
    void viewsAndPrimaryKeysAreFollowed() {
        gw.sql("create table keyless (id int, v text); insert into keyless values (1, 'a')");
        rest.awaitTable("keyless");
        error(rest.write("PUT", "/keyless?id=eq.1", "{\"id\":1,\"v\":\"b\"}"), 405, "PGRST105");
        gw.sql("alter table keyless add primary key (id)");
        rest.awaitStatus("/keyless?limit=0", s -> s == 200, "still there");
        HttpResponse<String> r = RestCalls.await(() -> rest.write("PUT", "/keyless?id=eq.1", "{\"id\":1,\"v\":\"b\"}"),
                x -> x.statusCode() != 405, "the primary key never reached the schema cache");
        assertEquals(204, r.statusCode(), r.body());
        gw.sql("create view keyless_view as select v from keyless");
        rest.awaitTable("keyless_view");
        assertEquals("[{\"v\":\"b\"}]", compact(rest.get("/keyless_view")));
    }

    @Test
    void notifyPgrstReloadsByHand() {
        // Without the event triggers (a database where they could not be created), DDL goes
        // unnoticed until someone sends the NOTIFY.
        gw.sql("alter event trigger parley_schema_reload_on_ddl disable; alter event trigger parley_schema_reload_on_drop disable");
        try {
            gw.sql("create table comets (id int primary key)");
            sleep(600);
            error(rest.get("/comets"), 404, "PGRST205");
            gw.sql("notify pgrst, 'reload schema'");
            rest.awaitTable("comets");
            gw.sql("drop table comets");
            sleep(600);
            // the stale cache still names the table, so Postgres answers that it is gone
            error(rest.get("/comets"), 404, "42P01");
            gw.sql("notify pgrst");
            awaitCode("/comets", "PGRST205");
            // other payloads are not for the schema cache
            gw.sql("create table asteroids (id int primary key); notify pgrst, 'reload config'");
            sleep(600);
            error(rest.get("/asteroids"), 404, "PGRST205");
        } finally {
            gw.sql("alter event trigger parley_schema_reload_on_ddl enable; alter event trigger parley_schema_reload_on_drop enable");
        }
    }

    /** Waits until a GET of {@code path} fails with {@code code}. */
    private static void awaitCode(String path, String code) {
        RestCalls.await(() -> rest.get(path), r -> r.body().contains("\"code\":\"" + code + "\""),
                path + " never failed with " + code);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
