package dev.parley.rest.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.http.Json;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Postgres types in Swagger 2.0 terms, as PostgREST 12 writes them: a JSON type (none for
 * json/jsonb, which may hold anything), the Postgres type name as the format, array items.
 */
final class SwaggerTypes {
    private static final Pattern MODIFIER = Pattern.compile("\\([^)]*\\)");
    private static final Pattern LENGTH = Pattern.compile("^(?:character varying|character)\\((\\d+)\\)$");

    private SwaggerTypes() {
    }

    /** The type without its modifiers: {@code character varying(20)} gives {@code character varying}. */
    static String baseName(String formatted) {
        return MODIFIER.matcher(formatted).replaceAll("");
    }

    /** The declared length of a character column, or null. */
    static Integer maxLength(String formatted) {
        Matcher m = LENGTH.matcher(formatted);
        return m.matches() ? Integer.valueOf(m.group(1)) : null;
    }

    /** The Swagger type, or null for json and jsonb. */
    static String type(String type) {
        return switch (type) {
            case "character varying", "character", "text" -> "string";
            case "boolean" -> "boolean";
            case "smallint", "integer", "bigint" -> "integer";
            case "numeric", "real", "double precision" -> "number";
            case "json", "jsonb" -> null;
            default -> type.endsWith("[]") ? "array" : "string";
        };
    }

    static String elementType(String arrayType) {
        return arrayType.substring(0, arrayType.length() - 2);
    }

    /** type, format and (for arrays) items of a property or parameter schema. */
    static void describe(ObjectNode schema, String type) {
        String swagger = type(type);
        schema.put("format", type);
        if (swagger != null) schema.put("type", swagger);
        if ("array".equals(swagger)) {
            ObjectNode items = schema.putObject("items");
            String element = type(elementType(type));
            if (element != null) items.put("type", element);
        }
    }

    /**
     * A column default as JSON, as PostgREST shows it: string-typed columns drop the literal's
     * quotes and cast ({@code 'draft'::text} gives "draft"; an expression such as {@code now()}
     * is shown as text); other types show the default if it is a JSON value, else nothing.
     */
    static JsonNode defaultValue(String type, String expression) {
        if (expression == null) return null;
        String text = expression;
        if ("string".equals(type(type))) {
            String suffix = "::" + type;
            if (text.endsWith(suffix)) {
                text = text.substring(0, text.length() - suffix.length());
                text = stripQuotes(text);
            }
            return Json.MAPPER.getNodeFactory().textNode(text);
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException notJson) {
            return null;
        }
    }

    private static String stripQuotes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '\'') start++;
        while (end > start && s.charAt(end - 1) == '\'') end--;
        return s.substring(start, end);
    }
}
