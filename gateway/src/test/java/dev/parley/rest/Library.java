package dev.parley.rest;

/**
 * The schema most REST tests read: authors, books with every kind of column, one-to-one details,
 * genres through a junction (many-to-many), a second key to authors (editor, for ambiguity) and a
 * self-referencing staff table.
 */
final class Library {
    private Library() {
    }

    static final String SCHEMA = """
            create table authors (id int primary key, name text not null, born int, meta jsonb);
            create table books (
              id int primary key,
              title text not null,
              author_id int references authors,
              editor_id int,
              pages int,
              price numeric(6,2),
              tags text[],
              released date,
              during int4range,
              summary text,
              meta jsonb,
              constraint books_editor_fkey foreign key (editor_id) references authors (id)
            );
            create table book_details (book_id int primary key references books, isbn text unique, weight int);
            create table genres (id int primary key, name text unique not null);
            create table book_genres (book_id int references books, genre_id int references genres,
                                      primary key (book_id, genre_id));
            create table staff (id int primary key, name text, boss_id int references staff);
            create table notes (id serial primary key, body text default 'empty', created_at timestamptz default now(),
                                n int default 7);

            insert into authors values
              (1, 'Ann', 1970, '{"country": "NZ", "prizes": [{"year": 2001}], "age": 55}'),
              (2, 'Bob', 1985, '{"country": "UK", "age": 40}'),
              (3, 'Cy', null, null);
            insert into books values
              (1, 'Alpha', 1, 2, 120, 10.50, '{x,y}', '2001-01-01', '[1,5)', 'the quick brown fox', '{"lang": "en", "n": 1}'),
              (2, 'Beta', 1, null, 300, 20.00, '{y}', '2005-06-01', '[5,10)', 'lazy dogs sleep', '{"lang": "fr", "n": 2}'),
              (3, 'Gamma', 2, 1, null, 5.25, null, null, '[20,30)', 'a fox and a dog', null),
              (4, 'Delta', null, null, 50, null, '{}', '2010-10-10', 'empty', null, '{"lang": "en", "n": 4}'),
              (5, 'epsilon', 2, 2, 80, 7.00, '{z,x}', '2020-02-02', '[3,4)', 'Quick thinking', '{"lang": "de"}');
            insert into book_details values (1, 'isbn-1', 300), (2, 'isbn-2', 500);
            insert into genres values (1, 'fiction'), (2, 'crime'), (3, 'poetry');
            insert into book_genres values (1, 1), (1, 2), (2, 1), (3, 2);
            insert into staff values (1, 'Boss', null), (2, 'Mid', 1), (3, 'Low', 2), (4, 'Low2', 2);
            """;
}
