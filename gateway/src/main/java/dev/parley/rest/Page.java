package dev.parley.rest;

/**
 * The rows a statement produced, already rendered in the wanted format.
 *
 * @param total the total the count preference asked for, else null
 * @param rows  the rows in this page
 */
public record Page(Long total, long rows, String body) {
}
