package dev.parley.rest.query;

/**
 * One {@code order} term: {@code field[.asc|.desc][.nullsfirst|.nullslast]}; nullsFirst null =
 * default. {@code relation} is set for a related order, {@code embed(field)}: a column of a
 * to-one embedded resource, named as in the select (alias or target).
 */
public record OrderTerm(String relation, Field field, boolean descending, Boolean nullsFirst) {
}
