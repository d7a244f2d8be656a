package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.parley.http.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** docs/realtime-join.schema.json, the document the server tests and the SDK tests share. */
final class JoinSchema {
    private static final JsonSchema SCHEMA = load();

    private static JsonSchema load() {
        try {
            Path p = Path.of("..", "docs", "realtime-join.schema.json");
            if (!Files.exists(p)) p = Path.of("docs", "realtime-join.schema.json");
            JsonNode doc = Json.MAPPER.readTree(Files.readString(p));
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(doc);
        } catch (Exception e) {
            throw new IllegalStateException("docs/realtime-join.schema.json unreadable: " + e, e);
        }
    }

    static Set<ValidationMessage> validate(JsonNode payload) {
        return SCHEMA.validate(payload);
    }

    static void assertValid(JsonNode payload) {
        Set<ValidationMessage> errors = validate(payload);
        if (!errors.isEmpty()) throw new AssertionError("join payload violates docs/realtime-join.schema.json: " + errors + " in " + payload);
    }
}
