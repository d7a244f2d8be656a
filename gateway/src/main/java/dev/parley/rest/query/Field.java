package dev.parley.rest.query;

import java.util.List;

/**
 * A column, optionally followed by a JSON path: {@code data->address->>city}. A numeric key
 * addresses an array element.
 */
public record Field(String column, List<JsonStep> path) {

    /** One {@code ->key} (JSON) or {@code ->>key} (text) step. */
    public record JsonStep(String key, boolean asText) {
        public boolean isIndex() {
            return key.matches("-?\\d{1,9}");
        }
    }

    public Field {
        path = List.copyOf(path);
    }

    public static Field column(String column) {
        return new Field(column, List.of());
    }

    /** The name PostgREST gives this field in results: the column, or the last JSON key. */
    public String defaultName() {
        return path.isEmpty() ? column : path.get(path.size() - 1).key();
    }

    /** True when the value is text (no path, or a path ending in ->>). */
    public boolean endsAsText() {
        return !path.isEmpty() && path.get(path.size() - 1).asText();
    }
}
