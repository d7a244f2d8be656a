package dev.parley.storage;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes written as Supabase accepts them for bucket limits: "20GB", "20MB", "30KB", "3B" (powers of 1024). */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(b|kb|mb|gb|tb)?\\s*");

    private Sizes() {
    }

    static long parse(String text) {
        Matcher m = SIZE.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches()) throw StorageError.invalidRequest("Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B");
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        double factor = switch (unit) {
            case "kb" -> 1024d;
            case "mb" -> 1024d * 1024;
            case "gb" -> 1024d * 1024 * 1024;
            case "tb" -> 1024d * 1024 * 1024 * 1024;
            default -> 1d;
        };
        double bytes = value * factor;
        if (bytes > Long.MAX_VALUE / 2) throw StorageError.invalidRequest("file size limit too large");
        return (long) bytes;
    }
}
