package dev.parley.storage;

import dev.parley.http.Json;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.MultipartParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Streams an upload's bytes into a pending write, as Supabase accepts them: a raw body (type from
 * Content-Type, cache control from Cache-Control, user metadata from base64 JSON in x-metadata)
 * or a multipart form (the file part's type or a {@code contentType} field, {@code cacheControl}
 * seconds and {@code metadata} JSON fields). The size limit is enforced while reading, so an
 * oversized body costs at most the limit in disk and nothing in memory; the MIME check happens
 * before the first byte of the file is written. An MD5 is computed on the way for the ETag.
 */
final class UploadReader {
    /** Form fields are small (cache control, metadata JSON); Supabase caps user metadata at 1 MiB. */
    private static final int MAX_FIELD_BYTES = 1024 * 1024;
    private static final int BUFFER = 64 * 1024;

    /** What was received, once every byte is written. */
    record Received(String mimeType, String cacheControl, String userMetadataJson, long size, String eTag) {
    }

    private UploadReader() {
    }

    static Received read(HttpServerExchange ex, OutputStream sink, long limit, List<String> allowedMimeTypes) throws IOException {
        String contentType = ex.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return readMultipart(ex, contentType, sink, limit, allowedMimeTypes);
        }
        String mime = contentType == null || contentType.isBlank() ? "application/octet-stream" : contentType.trim();
        Http.headerValue("content-type", mime);
        checkMime(mime, allowedMimeTypes);
        String cacheControl = Http.headerValue("cache-control", ex.getRequestHeaders().getFirst(Headers.CACHE_CONTROL));
        String userMetadata = decodeMetadataHeader(ex.getRequestHeaders().getFirst("x-metadata"));
        Counter counter = new Counter(sink, limit);
        byte[] buf = new byte[BUFFER];
        try (InputStream in = ex.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) counter.write(buf, 0, n);
        }
        return new Received(mime, cacheControl == null ? "no-cache" : cacheControl, userMetadata, counter.count, counter.eTag());
    }

    /** Raw uploads larger than the limit by their declared length are refused before reading. */
    static void checkDeclaredLength(HttpServerExchange ex, long limit) {
        String ct = ex.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        boolean multipart = ct != null && ct.toLowerCase(Locale.ROOT).startsWith("multipart/");
        if (!multipart && ex.getRequestContentLength() > limit) throw StorageError.entityTooLarge(limit);
    }

    /**
     * MIME check as Supabase's: "type/subtype" must match an allowed "type/subtype" or "type/*";
     * parameters (";charset=...") and case are ignored. No list (or an empty one) allows all.
     */
    static void checkMime(String mimeType, List<String> allowed) {
        if (allowed == null || allowed.isEmpty()) return;
        String bare = mimeType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        String[] parts = bare.split("/", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) throw StorageError.invalidMimeType(mimeType);
        for (String a : allowed) {
            String[] ap = a.toLowerCase(Locale.ROOT).split("/", -1);
            if (ap.length == 2 && ap[0].equals(parts[0]) && (ap[1].equals("*") || ap[1].equals(parts[1]))) return;
        }
        throw StorageError.invalidMimeType(mimeType);
    }

    private static Received readMultipart(HttpServerExchange ex, String contentType, OutputStream sink, long limit,
                                          List<String> allowed) throws IOException {
        String boundary = Headers.extractQuotedValueFromHeader(contentType, "boundary");
        if (boundary == null || boundary.isEmpty()) throw StorageError.invalidRequest("multipart body without a boundary");
        Form form = new Form(new Counter(sink, limit), allowed);
        MultipartParser.ParseState state = MultipartParser.beginParse(ex.getConnection().getByteBufferPool(), form,
                boundary.getBytes(StandardCharsets.US_ASCII), StandardCharsets.UTF_8.name());
        byte[] buf = new byte[BUFFER];
        try (InputStream in = ex.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                state.parse(ByteBuffer.wrap(buf, 0, n));
            }
        }
        if (!state.isComplete() || !form.sawFile) throw StorageError.noContent();
        String mime = Http.headerValue("contentType", form.contentTypeField != null ? form.contentTypeField : form.fileType);
        checkMime(mime, allowed);
        String cacheControl = form.cacheControl == null || form.cacheControl.isBlank() ? "no-cache"
                : Http.headerValue("cacheControl", "max-age=" + form.cacheControl.trim());
        return new Received(mime, cacheControl, jsonOrNull(form.metadata), form.file.count, form.file.eTag());
    }

    /** The parts of a form: the first file streams to the sink, fields are kept (small). */
    private static final class Form implements MultipartParser.PartHandler {
        final Counter file;
        final List<String> allowed;
        boolean sawFile;
        String fileType = "application/octet-stream";
        String contentTypeField;
        String cacheControl;
        String metadata;
        private String currentField;
        private boolean inFile;
        private ByteArrayOutputStream field;
        private int fieldBytes;

        Form(Counter file, List<String> allowed) {
            this.file = file;
            this.allowed = allowed;
        }

        @Override
        public void beginPart(HeaderMap headers) {
            String disposition = headers.getFirst(Headers.CONTENT_DISPOSITION);
            String name = disposition == null ? null : Headers.extractQuotedValueFromHeader(disposition, "name");
            String filename = disposition == null ? null : Headers.extractQuotedValueFromHeader(disposition, "filename");
            if (filename != null && !sawFile) {
                sawFile = true;
                inFile = true;
                String type = headers.getFirst(Headers.CONTENT_TYPE);
                if (type != null && !type.isBlank()) fileType = type.trim();
                checkMime(contentTypeField != null ? contentTypeField : fileType, allowed);
            } else {
                inFile = false;
                currentField = filename != null ? null : name; // a second file is ignored
                field = new ByteArrayOutputStream();
            }
        }

        @Override
        public void data(ByteBuffer buffer) throws IOException {
            int n = buffer.remaining();
            if (inFile) {
                if (buffer.hasArray()) {
                    file.write(buffer.array(), buffer.arrayOffset() + buffer.position(), n);
                    buffer.position(buffer.limit());
                } else {
                    byte[] tmp = new byte[n];
                    buffer.get(tmp);
                    file.write(tmp, 0, n);
                }
                return;
            }
            fieldBytes += n;
            if (fieldBytes > MAX_FIELD_BYTES) throw new StorageError(413, "EntityTooLarge",
                    "Payload too large", "The form fields exceeded " + MAX_FIELD_BYTES + " bytes");
            byte[] tmp = new byte[n];
            buffer.get(tmp);
            field.write(tmp, 0, n);
        }

        @Override
        public void endPart() {
            if (inFile) {
                inFile = false;
                return;
            }
            if (currentField == null) return;
            String value = field.toString(StandardCharsets.UTF_8);
            switch (currentField) {
                case "cacheControl" -> cacheControl = value;
                case "contentType" -> contentTypeField = value.trim();
                case "metadata", "userMetadata" -> metadata = value;
                default -> {
                    // other fields are ignored, as Supabase does
                }
            }
        }
    }

    /** Counts, hashes and limits the bytes passed to the sink. */
    private static final class Counter {
        private final OutputStream sink;
        private final long limit;
        private final MessageDigest md5;
        long count;

        Counter(OutputStream sink, long limit) {
            this.sink = sink;
            this.limit = limit;
            try {
                this.md5 = MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void write(byte[] b, int off, int len) throws IOException {
            count += len;
            if (count > limit) throw StorageError.entityTooLarge(limit);
            md5.update(b, off, len);
            sink.write(b, off, len);
        }

        String eTag() {
            return "\"" + HexFormat.of().formatHex(md5.digest()) + "\"";
        }
    }

    private static String decodeMetadataHeader(String header) {
        if (header == null || header.isBlank()) return null;
        try {
            return jsonOrNull(new String(Base64.getDecoder().decode(header.trim()), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw StorageError.invalidRequest("x-metadata must be base64-encoded JSON");
        }
    }

    /** Supabase ignores user metadata that is not a JSON object. */
    private static String jsonOrNull(String text) {
        if (text == null) return null;
        if (text.length() > MAX_FIELD_BYTES) throw new StorageError(413, "EntityTooLarge", "Payload too large",
                "The user_metadata exceeded " + MAX_FIELD_BYTES + " bytes");
        try {
            var node = Json.MAPPER.readTree(text);
            return node != null && node.isObject() ? node.toString() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
