package dev.parley.rest.query;

import dev.parley.http.ApiError;

/** A position in one query-string value, with the small scanning steps the parsers share. */
final class Cursor {
    private final String what;
    private final String input;
    private int pos;

    Cursor(String what, String input) {
        this.what = what;
        this.input = input;
    }

    boolean atEnd() {
        return pos >= input.length();
    }

    char peek() {
        return input.charAt(pos);
    }

    boolean startsWith(String s) {
        return input.startsWith(s, pos);
    }

    boolean accept(String s) {
        if (input.startsWith(s, pos)) {
            pos += s.length();
            return true;
        }
        return false;
    }

    void expect(String s) {
        if (!accept(s)) throw error(atEnd() ? "unexpected end of input, expecting \"" + s + "\""
                : "unexpected \"" + peek() + "\" expecting \"" + s + "\"");
    }

    int position() {
        return pos;
    }

    String rest() {
        String r = input.substring(pos);
        pos = input.length();
        return r;
    }

    /**
     * A name: a double-quoted identifier (with "" for a quote) or a run of characters up to one of
     * {@code stops} or the start of a JSON arrow. Surrounding blanks are dropped.
     */
    String name(String stops) {
        skipBlanks();
        if (accept("\"")) {
            StringBuilder b = new StringBuilder();
            while (true) {
                if (atEnd()) throw error("unterminated quoted name");
                char c = input.charAt(pos++);
                if (c == '"') {
                    if (accept("\"")) b.append('"');
                    else break;
                } else {
                    b.append(c);
                }
            }
            skipBlanks();
            return checked(b.toString());
        }
        int start = pos;
        while (!atEnd() && stops.indexOf(peek()) < 0 && !startsWith("->") && !startsWith("::")) pos++;
        String name = input.substring(start, pos).trim();
        if (name.isEmpty()) {
            throw error(atEnd() ? "unexpected end of input, expecting a name" : "unexpected \"" + peek() + "\" expecting a name");
        }
        return checked(name);
    }

    /** No name may hold a NUL: Postgres identifiers and text cannot. */
    private String checked(String name) {
        if (name.indexOf('\0') >= 0) throw error("a name cannot contain a NUL character");
        return name;
    }

    void skipBlanks() {
        while (!atEnd() && Character.isWhitespace(peek())) pos++;
    }

    /** Parses {@code column(->key|->>key)*}. */
    Field field(String stops) {
        String column = name(stops);
        java.util.List<Field.JsonStep> path = new java.util.ArrayList<>();
        while (true) {
            boolean text;
            if (accept("->>")) text = true;
            else if (accept("->")) text = false;
            else break;
            path.add(new Field.JsonStep(name(stops), text));
        }
        return new Field(column, path);
    }

    ApiError error(String problem) {
        return ParseError.at(what, input, pos, problem);
    }

    ApiError errorAt(int position, String problem) {
        return ParseError.at(what, input, position, problem);
    }
}
