package dev.parley.rest.query;

/** One {@code order} term: {@code field[.asc|.desc][.nullsfirst|.nullslast]}; nullsFirst null = default. */
public record OrderTerm(Field field, boolean descending, Boolean nullsFirst) {
}
