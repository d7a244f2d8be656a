package dev.parley.storage;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * What an object name and a bucket id may be. Names become parts of URLs, of policies'
 * {@code storage.foldername(name)} arrays and of listings, never of file paths (bytes are stored
 * under their version, see {@link LocalObjectStore}); the rules keep them unambiguous anyway:
 * no leading slash and no empty, "." or ".." segment (path traversal), no control characters,
 * valid UTF-8 (a URL whose percent-escapes were not UTF-8 decodes to U+FFFD), at most 1024 bytes.
 */
final class Names {
    static final int MAX_NAME_BYTES = 1024;
    static final int MAX_BUCKET_ID = 100;
    /** Supabase's bucket characters (S3-safe, no slash). */
    private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9_!\\-.*'() &$@=;:+,?]+");

    private Names() {
    }

    /** The object name, or a 400 InvalidKey. */
    static String objectName(String name) {
        if (!isValidObjectName(name)) throw StorageError.invalidKey(name);
        return name;
    }

    static boolean isValidObjectName(String name) {
        if (name == null || name.isEmpty()) return false;
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '\uFFFD') return false;
            if (Character.isSurrogate(c)) {
                // a lone surrogate is not encodable as UTF-8
                if (!Character.isHighSurrogate(c) || i + 1 >= name.length() || !Character.isLowSurrogate(name.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) return false;
        }
        return true;
    }

    /** The bucket id, or a 400 InvalidBucketName. */
    static String bucketId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_BUCKET_ID || !BUCKET.matcher(id).matches()
                || id.equals(".") || id.equals("..")) {
            throw StorageError.invalidBucketName(id);
        }
        return id;
    }
}
