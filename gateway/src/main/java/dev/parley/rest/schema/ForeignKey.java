package dev.parley.rest.schema;

import java.util.List;

/** A foreign key constraint: {@code from(fromColumns)} references {@code to(toColumns)}. */
public record ForeignKey(String name, QualifiedName from, List<String> fromColumns,
                         QualifiedName to, List<String> toColumns) {
}
