package dev.parley.storage;

import dev.parley.http.Json;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.DateUtils;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.Locale;

/**
 * Sends an object's bytes: Content-Type, Content-Length, ETag, Cache-Control, Last-Modified,
 * a single byte range (206, or 416 when unsatisfiable), If-None-Match (304) and
 * {@code ?download} (Content-Disposition). Streams from the store in 64 KiB blocks on the worker
 * thread, so memory stays flat whatever the object's size.
 *
 * <p>The row is read first and the bytes opened after; if an overwrite committed in between and
 * its old bytes were already collected, the open fails and the row is read again (the new
 * version is then served), as often as overwrites keep landing in between, up to a bound. An
 * open file stays readable even if collected while being sent.
 */
final class Downloads {
    private static final HttpString ACCEPT_RANGES = new HttpString("Accept-Ranges");
    private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");
    private static final int BUFFER = 64 * 1024;
    /** Enough for a reader to outlast bursts of overwrites of one object on a loaded machine. */
    private static final int ATTEMPTS = 20;

    /** Reads the row to serve (null when not found or not visible). */
    @FunctionalInterface
    interface Lookup {
        StoredObject find() throws SQLException;
    }

    private final ObjectStore store;

    Downloads(ObjectStore store) {
        this.store = store;
    }

    void serve(HttpServerExchange ex, Lookup lookup, boolean headOnly, String expires) throws SQLException, IOException {
        String missing = null;
        for (int attempt = 1; ; attempt++) {
            StoredObject obj = lookup.find();
            if (obj == null) throw StorageError.objectNotFound();
            try {
                if (send(ex, obj, headOnly, expires)) return;
            } catch (NoSuchFileException gone) {
                // Each miss means an overwrite committed since the row was read, so reading again
                // finds a newer version. Give up when the same version is missing twice (its bytes
                // are lost, not replaced) or when overwrites keep winning the race.
                if (obj.version().equals(missing) || attempt >= ATTEMPTS) throw StorageError.objectNotFound();
                missing = obj.version();
            }
        }
    }

    /** True once answered; a NoSuchFileException when the bytes are gone before anything was sent. */
    private boolean send(HttpServerExchange ex, StoredObject obj, boolean headOnly, String expires) throws IOException {
        long size = obj.size();
        String eTag = obj.eTag();
        HeaderMap out = ex.getResponseHeaders();
        if (!safe(eTag)) eTag = null; // rows written with psql are not validated: never echo a broken header
        if (eTag != null) out.put(Headers.ETAG, eTag);
        if (expires != null) out.put(Headers.EXPIRES, expires);
        else if (safe(obj.cacheControl())) out.put(Headers.CACHE_CONTROL, obj.cacheControl());
        String lastModified = httpDate(obj.lastModified());
        if (lastModified != null) out.put(Headers.LAST_MODIFIED, lastModified);

        if (eTag != null && matches(ex.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH), eTag)) {
            ex.setStatusCode(304);
            ex.endExchange();
            return true;
        }
        out.put(ACCEPT_RANGES, "bytes");
        out.put(Headers.CONTENT_TYPE, safeContentType(obj.mimeType()));
        out.put(NOSNIFF, "nosniff");
        String download = Http.param(ex, "download");
        if (download != null) out.put(Headers.CONTENT_DISPOSITION, disposition(download));

        long start = 0;
        long length = size;
        String range = ex.getRequestHeaders().getFirst(Headers.RANGE);
        if (range != null) {
            long[] r = parseRange(range, size);
            if (r != null && r.length == 0) {
                out.put(Headers.CONTENT_RANGE, "bytes */" + size);
                out.remove(Headers.CONTENT_DISPOSITION);
                StorageError e = StorageError.invalidRange(size);
                Json.send(ex, e.status(), e.body());
                return true;
            }
            if (r != null) {
                start = r[0];
                length = r[1] - r[0] + 1;
                ex.setStatusCode(206);
                out.put(Headers.CONTENT_RANGE, "bytes " + r[0] + "-" + r[1] + "/" + size);
            }
        }
        ex.setResponseContentLength(length);
        if (headOnly || length == 0) {
            ex.endExchange();
            return true;
        }
        try (InputStream in = store.open(obj.version(), start, length)) {
            OutputStream body = ex.getOutputStream();
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) body.write(buf, 0, n);
            body.close();
        }
        return true;
    }

    /**
     * One range of "bytes=a-b", "bytes=a-" or "bytes=-n": {start, end} inclusive; an empty array
     * when unsatisfiable; null to ignore the header (malformed or several ranges: the whole
     * object is sent, as RFC 9110 allows).
     */
    static long[] parseRange(String header, long size) {
        String h = header.trim().toLowerCase(Locale.ROOT);
        if (!h.startsWith("bytes=") || h.contains(",")) return null;
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) return null;
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (a.isEmpty()) {
                if (b.isEmpty()) return null;
                long suffix = Long.parseLong(b);
                if (suffix <= 0 || size == 0) return new long[0];
                return new long[] {Math.max(0, size - suffix), size - 1};
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            if (first < 0 || (!b.isEmpty() && Long.parseLong(b) < first)) return null;
            if (first >= size) return new long[0];
            return new long[] {first, last};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean matches(String ifNoneMatch, String eTag) {
        if (ifNoneMatch == null) return false;
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) c = c.substring(2);
            if (c.equals("*") || c.equals(eTag)) return true;
        }
        return false;
    }

    private static boolean safe(String headerValue) {
        return headerValue != null && headerValue.chars().noneMatch(c -> c < 0x20 && c != '\t' || c == 0x7f);
    }

    /** HTML is served as text/plain, as Supabase does, so stored files cannot run script on this origin. */
    private static String safeContentType(String mime) {
        String lower = mime.toLowerCase(Locale.ROOT);
        if (lower.contains("text/html") || lower.contains("xhtml") || !safe(mime)) {
            return "text/plain";
        }
        return mime;
    }

    private static String disposition(String download) {
        if (download.isEmpty()) return "attachment;";
        String encoded = URLEncoder.encode(download, StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=" + encoded + "; filename*=UTF-8''" + encoded;
    }

    private static String httpDate(String iso) {
        if (iso == null) return null;
        try {
            return DateUtils.toDateString(Date.from(Instant.parse(iso)));
        } catch (DateTimeParseException e) {
            try {
                return DateUtils.toDateString(Date.from(OffsetDateTime.parse(iso).toInstant()));
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    static String httpDate(Instant instant) {
        return DateUtils.toDateString(Date.from(instant));
    }
}
