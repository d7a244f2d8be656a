package dev.parley.storage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.http.Json;
import dev.parley.testing.TestGateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Requests to /storage/v1 as a client would send them, for the storage tests. */
final class StorageCalls {
    final TestGateway gw;

    StorageCalls(TestGateway gw) {
        this.gw = gw;
    }

    HttpRequest.Builder req(String path, String token) {
        HttpRequest.Builder b = gw.request("/storage/v1" + path);
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b;
    }

    HttpResponse<String> send(HttpRequest.Builder b) {
        return gw.send(b.build());
    }

    HttpResponse<byte[]> sendBytes(HttpRequest.Builder b) {
        try {
            return gw.http().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> postJson(String path, String token, String json) {
        return send(req(path, token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> putJson(String path, String token, String json) {
        return send(req(path, token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> deleteJson(String path, String token, String json) {
        return send(req(path, token).header("Content-Type", "application/json")
                .method("DELETE", json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> get(String path, String token) {
        return send(req(path, token).GET());
    }

    /** A raw-body upload (POST, or PUT to replace). */
    HttpResponse<String> upload(String method, String bucket, String name, String token, byte[] body, String contentType,
                                boolean upsert) {
        HttpRequest.Builder b = req("/object/" + bucket + "/" + name, token)
                .header("Content-Type", contentType)
                .header("x-upsert", Boolean.toString(upsert))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        return send(b);
    }

    HttpResponse<String> upload(String bucket, String name, String token, String text) {
        return upload("POST", bucket, name, token, text.getBytes(StandardCharsets.UTF_8), "text/plain", false);
    }

    /** A multipart upload as supabase-js sends a Blob: cacheControl field, then the file part named "". */
    HttpResponse<String> uploadForm(String bucket, String name, String token, byte[] content, String fileType, String cacheSeconds,
                                    String metadataJson) {
        return uploadForm(bucket, name, token, content, fileType, cacheSeconds, metadataJson, false);
    }

    HttpResponse<String> uploadForm(String bucket, String name, String token, byte[] content, String fileType, String cacheSeconds,
                                    String metadataJson, boolean upsert) {
        String boundary = "----parley" + UUID.randomUUID();
        StringBuilder head = new StringBuilder();
        head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"cacheControl\"\r\n\r\n")
                .append(cacheSeconds).append("\r\n");
        if (metadataJson != null) {
            head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n")
                    .append(metadataJson).append("\r\n");
        }
        head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"\"; filename=\"blob\"\r\n")
                .append("Content-Type: ").append(fileType).append("\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
        byte[] t = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[h.length + content.length + t.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(content, 0, all, h.length, content.length);
        System.arraycopy(t, 0, all, h.length + content.length, t.length);
        return send(req("/object/" + bucket + "/" + name, token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("x-upsert", Boolean.toString(upsert))
                .POST(HttpRequest.BodyPublishers.ofByteArray(all)));
    }

    void createBucket(String id, boolean isPublic, String extraJson) {
        String body = "{\"name\":\"" + id + "\",\"public\":" + isPublic + (extraJson == null ? "" : "," + extraJson) + "}";
        HttpResponse<String> r = postJson("/bucket", gw.serviceKey(), body);
        if (r.statusCode() != 200) throw new IllegalStateException("bucket not created: " + r.statusCode() + " " + r.body());
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    String baseUrl() {
        return gw.baseUrl() + "/storage/v1";
    }

    URI uri(String pathAndQuery) {
        return URI.create(baseUrl() + pathAndQuery);
    }
}
