package dev.parley.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashSet;
import java.util.Set;

import static dev.parley.rest.RestCalls.compact;
import static dev.parley.rest.RestCalls.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Resource embedding through foreign keys, in every cardinality, with hints, inner joins and scopes. */
@Timeout(60)
class RestEmbedTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final RestCalls rest = new RestCalls(gw);

    @BeforeAll
    static void start() {
        gw.sql(Library.SCHEMA);
        rest.awaitTable("staff");
    }

    static String get(String path) {
        return compact(rest.get(path));
    }

    @Test
    void manyToOneByColumnKeyOrHint() {
        assertEquals("[{\"title\":\"Alpha\",\"author\":{\"name\":\"Ann\"}},{\"title\":\"Delta\",\"author\":null}]",
                get("/books?select=title,author:author_id(name)&id=in.(1,4)&order=id"));
        assertEquals("[{\"title\":\"Alpha\",\"authors\":{\"name\":\"Ann\"}}]",
                get("/books?select=title,authors!books_author_id_fkey(name)&id=eq.1"));
        assertEquals("[{\"title\":\"Alpha\",\"editor\":{\"name\":\"Bob\"}}]",
                get("/books?select=title,editor:authors!editor_id(name)&id=eq.1"));
        assertEquals("[{\"title\":\"Alpha\",\"editor\":{\"id\":2,\"name\":\"Bob\",\"born\":1985,\"meta\":{\"age\":40,\"country\":\"UK\"}}}]",
                get("/books?select=title,editor:books_editor_fkey(*)&id=eq.1"));
    }

    @Test
    void oneToManyIsAnArrayEmptyWhenNone() {
        assertEquals("[{\"name\":\"Ann\",\"books\":[{\"title\":\"Alpha\"},{\"title\":\"Beta\"}]},{\"name\":\"Cy\",\"books\":[]}]",
                get("/authors?select=name,books!author_id(title)&id=in.(1,3)&order=id&books.order=id"));
        assertEquals("[{\"name\":\"Bob\",\"edited\":[{\"id\":1},{\"id\":5}]}]",
                get("/authors?select=name,edited:books!books_editor_fkey(id)&id=eq.2&edited.order=id"));
    }

    @Test
    void oneToOneIsAnObjectBothWays() {
        assertEquals("[{\"id\":1,\"book_details\":{\"isbn\":\"isbn-1\"}},{\"id\":3,\"book_details\":null}]",
                get("/books?select=id,book_details(isbn)&id=in.(1,3)&order=id"));
        assertEquals("[{\"isbn\":\"isbn-2\",\"books\":{\"title\":\"Beta\"}}]",
                get("/book_details?select=isbn,books(title)&book_id=eq.2"));
    }

    @Test
    void manyToManyThroughTheJunction() {
        assertEquals("[{\"title\":\"Alpha\",\"genres\":[{\"name\":\"crime\"},{\"name\":\"fiction\"}]},"
                        + "{\"title\":\"Delta\",\"genres\":[]}]",
                get("/books?select=title,genres(name)&id=in.(1,4)&order=id&genres.order=name"));
        assertEquals("[{\"name\":\"crime\",\"books\":[{\"id\":1},{\"id\":3}]}]",
                get("/genres?select=name,books(id)&id=eq.2&books.order=id"));
        // the junction itself embeds both ways
        assertEquals("[{\"books\":{\"id\":1},\"genres\":{\"name\":\"fiction\"}}]",
                get("/book_genres?select=books(id),genres(name)&book_id=eq.1&genre_id=eq.1"));
    }

    @Test
    void ambiguousEmbedIs300WithTheCandidates() {
        var r = rest.get("/books?select=title,authors(name)");
        JsonNode body = error(r, 300, "PGRST201");
        assertEquals("Could not embed because more than one relationship was found for 'books' and 'authors'",
                body.get("message").asText());
        assertEquals("Try changing 'authors' to one of the following: 'authors!books_author_id_fkey', "
                + "'authors!books_editor_fkey'. Find the desired relationship in the 'details' key.", body.get("hint").asText());
        Set<String> details = new HashSet<>();
        for (JsonNode d : body.get("details")) details.add(d.toString());
        assertEquals(Set.of(
                "{\"embedding\":\"books with authors\",\"cardinality\":\"many-to-one\",\"relationship\":\"books_author_id_fkey using books(author_id) and authors(id)\"}",
                "{\"embedding\":\"books with authors\",\"cardinality\":\"many-to-one\",\"relationship\":\"books_editor_fkey using books(editor_id) and authors(id)\"}"),
                details);
        body = error(rest.get("/authors?select=books(id)"), 300, "PGRST201");
        assertTrue(body.get("details").toString().contains("\"embedding\":\"authors with books\",\"cardinality\":\"one-to-many\","
                + "\"relationship\":\"books_author_id_fkey using authors(id) and books(author_id)\""), body.toString());
    }

    @Test
    void noRelationshipIs400() {
        JsonNode body = error(rest.get("/genres?select=name,staff(name)"), 400, "PGRST200");
        assertEquals("Could not find a relationship between 'genres' and 'staff' in the schema cache", body.get("message").asText());
        assertEquals("Searched for a foreign key relationship between 'genres' and 'staff' in the schema 'public', "
                + "but no matches were found.", body.get("details").asText());
        body = error(rest.get("/books?select=authors!nokey(name)"), 400, "PGRST200");
        assertEquals("Searched for a foreign key relationship between 'books' and 'authors' using the hint 'nokey' in the schema "
                + "'public', but no matches were found.", body.get("details").asText());
        error(rest.get("/books?select=nothing(*)"), 400, "PGRST200");
    }

    @Test
    void innerJoinsDropRowsWithoutAMatch() {
        assertEquals("[{\"id\":3,\"author\":{\"name\":\"Bob\"}},{\"id\":5,\"author\":{\"name\":\"Bob\"}}]",
                get("/books?select=id,author:authors!author_id!inner(name)&author.name=eq.Bob&order=id"));
        // without !inner the filter empties the embed but keeps the row
        assertEquals("[{\"id\":1,\"author\":null},{\"id\":3,\"author\":{\"name\":\"Bob\"}}]",
                get("/books?select=id,author:authors!author_id(name)&author.name=eq.Bob&id=in.(1,3)&order=id"));
        assertEquals("[{\"name\":\"Ann\"}]",
                get("/authors?select=name,books!author_id!inner()&books.title=eq.Beta"));
        assertEquals("[{\"title\":\"Alpha\"},{\"title\":\"Beta\"},{\"title\":\"Gamma\"}]",
                get("/books?select=title,genres!inner()&order=id"));
    }

    @Test
    void nullFiltersOnAnEmbedAreJoins() {
        assertEquals("[{\"id\":4}]", get("/books?select=id,authors!author_id()&authors=is.null"));
        assertEquals("[{\"id\":1},{\"id\":2},{\"id\":3},{\"id\":5}]",
                get("/books?select=id,authors!author_id()&authors=not.is.null&order=id"));
        assertEquals("[{\"name\":\"Cy\"}]", get("/authors?select=name,books!author_id()&books=is.null"));
        assertEquals("[{\"id\":3},{\"id\":4},{\"id\":5}]",
                get("/books?select=id,book_details()&or=(book_details.is.null,id.eq.99)&order=id"));
        error(rest.get("/books?select=id,authors!author_id()&authors=eq.1"), 400, "PGRST120");
    }

    @Test
    void filtersOrderLimitAndOffsetInsideAnEmbed() {
        assertEquals("[{\"name\":\"Ann\",\"books\":[{\"title\":\"Beta\"}]}]",
                get("/authors?select=name,books!author_id(title)&id=eq.1&books.order=title.desc&books.limit=1"));
        assertEquals("[{\"name\":\"Ann\",\"books\":[{\"title\":\"Alpha\"}]}]",
                get("/authors?select=name,books!author_id(title)&id=eq.1&books.order=title.desc&books.offset=1"));
        assertEquals("[{\"name\":\"Ann\",\"books\":[{\"title\":\"Beta\"}]}]",
                get("/authors?select=name,books!author_id(title)&id=eq.1&books.pages=gt.200"));
        assertEquals("[{\"name\":\"Bob\",\"books\":[{\"id\":3}]}]",
                get("/authors?select=name,books!author_id(id)&id=eq.2&books.or=(id.eq.1,id.eq.3)"));
        assertEquals("[{\"name\":\"Bob\",\"books\":[{\"id\":5}]}]",
                get("/authors?select=name,books!author_id(id)&id=eq.2&books.not.or=(id.eq.1,id.eq.3)"));
        JsonNode body = error(rest.get("/authors?select=name&books.id=eq.1"), 400, "PGRST108");
        assertEquals("'books' is not an embedded resource in this request", body.get("message").asText());
        assertEquals("Verify that 'books' is included in the 'select' query parameter.", body.get("hint").asText());
    }

    @Test
    void relatedOrderByAToOneEmbed() {
        assertEquals("[{\"id\":5,\"author\":{\"name\":\"Bob\"}},{\"id\":3,\"author\":{\"name\":\"Bob\"}},"
                        + "{\"id\":2,\"author\":{\"name\":\"Ann\"}},{\"id\":1,\"author\":{\"name\":\"Ann\"}},"
                        + "{\"id\":4,\"author\":null}]",
                get("/books?select=id,author:authors!author_id(name)&order=author(name).desc.nullslast,id.desc"));
        // by a column the embed does not select, and a JSON path
        assertEquals("[{\"id\":1},{\"id\":2},{\"id\":3},{\"id\":5}]",
                get("/books?select=id,authors!author_id()&authors=not.is.null&order=authors(born),id"));
        assertEquals("[{\"title\":\"Gamma\",\"editor\":{\"name\":\"Ann\"}},{\"title\":\"Alpha\",\"editor\":{\"name\":\"Bob\"}}]",
                get("/books?select=title,editor:authors!editor_id(name)&id=in.(1,3)&order=editor(meta->>country).asc"));
        JsonNode body = error(rest.get("/authors?select=name,books!author_id(title)&order=books(title)"), 400, "PGRST118");
        assertEquals("A related order on 'books' is not possible", body.get("message").asText());
        assertEquals("'authors' and 'books' do not form a many-to-one or one-to-one relationship", body.get("details").asText());
        error(rest.get("/books?select=id&order=authors(name)"), 400, "PGRST108");
    }

    @Test
    void nestedEmbeds() {
        assertEquals("[{\"name\":\"Ann\",\"books\":[{\"title\":\"Alpha\",\"genres\":[{\"name\":\"crime\"},{\"name\":\"fiction\"}],"
                        + "\"book_details\":{\"isbn\":\"isbn-1\"},\"editor\":{\"name\":\"Bob\"}}]}]",
                get("/authors?select=name,books!author_id(title,genres(name),book_details(isbn),editor:authors!editor_id(name))"
                        + "&id=eq.1&books.id=eq.1&books.genres.order=name"));
        // scopes deeper down
        assertEquals("[{\"name\":\"Ann\",\"books\":[{\"id\":1,\"genres\":[{\"name\":\"crime\"}]},{\"id\":2,\"genres\":[]}]}]",
                get("/authors?select=name,books!author_id(id,genres(name))&id=eq.1&books.order=id&books.genres.name=eq.crime"));
    }

    @Test
    void selfReference() {
        assertEquals("[{\"name\":\"Low\",\"boss\":{\"name\":\"Mid\",\"boss\":{\"name\":\"Boss\"}}}]",
                get("/staff?select=name,boss:boss_id(name,boss:boss_id(name))&id=eq.3"));
        assertEquals("[{\"name\":\"Mid\",\"reports\":[{\"name\":\"Low\"},{\"name\":\"Low2\"}]}]",
                get("/staff?select=name,reports:staff!staff_boss_id_fkey(name)&id=eq.2&reports.order=id"));
        error(rest.get("/staff?select=name,staff(name)"), 300, "PGRST201");
    }

    @Test
    void spreadsLiftColumnsIntoTheParent() {
        assertEquals("[{\"title\":\"Alpha\",\"author_name\":\"Ann\",\"born\":1970}]",
                get("/books?select=title,...authors!author_id(author_name:name,born)&id=eq.1"));
        // to-many: correlated arrays in the embed's order, empty when there is no row
        assertEquals("[{\"name\":\"Ann\",\"titles\":[\"Beta\",\"Alpha\"],\"pages\":[300,120]},"
                        + "{\"name\":\"Cy\",\"titles\":[],\"pages\":[]}]",
                get("/authors?select=name,...books!author_id(titles:title,pages)&id=in.(1,3)&order=id&books.order=id.desc"));
    }

    @Test
    void embedsInASingularAnswer() {
        var r = rest.get("/books?select=id,author:author_id(name)&id=eq.1", gw.serviceKey(), "Accept", "application/vnd.pgrst.object+json");
        assertEquals("{\"id\":1,\"author\":{\"name\":\"Ann\"}}", compact(r));
    }
}
