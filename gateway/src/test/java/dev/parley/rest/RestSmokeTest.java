package dev.parley.rest;

import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(60)
class RestSmokeTest {
    static TestGateway gw;
    static RestCalls rest;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        rest = new RestCalls(gw);
        gw.sql("""
                create table authors (id int primary key, name text not null, meta jsonb);
                create table books (id int primary key, title text, author_id int references authors, tags text[]);
                insert into authors values (1, 'Ann', '{"born": 1970}'), (2, 'Bob', null);
                insert into books values (1, 'A1', 1, '{x,y}'), (2, 'A2', 1, '{y}'), (3, 'B1', 2, null);
                """);
        rest.awaitTable("books");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void readsAndEmbeds() {
        HttpResponse<String> r = rest.get("/books?select=id,title,author:authors(name)&order=id.desc&limit=2", gw.serviceKey());
        System.out.println(r.statusCode() + " " + r.headers().map() + " " + r.body());
        assertEquals(200, r.statusCode());
        r = rest.get("/authors?select=name,born:meta->>born,books(title)&books.order=title.desc&id=eq.1", gw.serviceKey(),
                "Prefer", "count=exact");
        System.out.println(r.statusCode() + " " + r.headers().map() + " " + r.body());
        r = rest.get("/books?or=(title.eq.A1,and(author_id.eq.2,tags.is.null))&tags=not.cs.{x}", gw.serviceKey());
        System.out.println(r.statusCode() + " " + r.body());
        r = rest.send("POST", "/books?select=*,authors(*)", gw.serviceKey(), "[{\"id\":9,\"title\":\"N\",\"author_id\":2}]",
                "Prefer", "return=representation");
        System.out.println(r.statusCode() + " " + r.headers().map() + " " + r.body());
        r = rest.send("PATCH", "/books?id=eq.9", gw.serviceKey(), "{\"title\":\"M\"}", "Prefer", "return=representation");
        System.out.println(r.statusCode() + " " + r.body());
        r = rest.send("DELETE", "/books?id=eq.9", gw.serviceKey(), null);
        System.out.println(r.statusCode() + " " + r.body());
        r = rest.get("/books?id=eq.1", gw.serviceKey(), "Accept", "text/csv");
        System.out.println(r.statusCode() + " " + r.body());
    }
}
