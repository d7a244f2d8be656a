package dev.parley.storage;

import dev.parley.auth.Jwt;
import dev.parley.http.ApiError;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signed URL tokens, as Supabase's: HS256 JWTs with the gateway's secret carrying
 * {@code url = "<bucket>/<name>"} and a {@code scope} ("download" or "upload"; upload tokens also
 * carry {@code owner} and {@code upsert}). A token is good for exactly one object and one action
 * until it expires. They carry no role: presented as an API token one is just anon.
 */
final class SignedUrls {
    static final String DOWNLOAD = "download";
    static final String UPLOAD = "upload";

    private final Jwt jwt;

    SignedUrls(Jwt jwt) {
        this.jwt = jwt;
    }

    /** The path (relative to /storage/v1) of a signed download URL, with the name unencoded as Supabase returns it. */
    String downloadPath(String bucketId, String name, long expiresIn) {
        String token = jwt.sign(Map.of("url", bucketId + "/" + name, "scope", DOWNLOAD), expiresIn);
        return "/object/sign/" + bucketId + "/" + name + "?token=" + token;
    }

    String uploadToken(String bucketId, String name, String owner, boolean upsert, long expiresIn) {
        Map<String, Object> claims = new LinkedHashMap<>();
        if (owner != null && !owner.isEmpty()) claims.put("owner", owner);
        claims.put("url", bucketId + "/" + name);
        claims.put("upsert", upsert);
        claims.put("scope", UPLOAD);
        return jwt.sign(claims, expiresIn);
    }

    /** The token's claims once it is valid for {@code scope} on exactly this object; a 400 otherwise. */
    Map<String, Object> verify(String token, String scope, String bucketId, String name) {
        if (token == null || token.isEmpty()) throw StorageError.invalidRequest("querystring must have required property 'token'");
        Map<String, Object> claims;
        try {
            claims = jwt.verify(token).claims();
        } catch (ApiError e) {
            if ("PGRST303".equals(e.code())) throw StorageError.expiredSignature();
            throw StorageError.invalidJwt(e.details() != null ? e.details() : e.getMessage());
        }
        if (!scope.equals(claims.get("scope"))) throw StorageError.invalidSignature("Token is not scoped for " + scope);
        if (!(bucketId + "/" + name).equals(claims.get("url"))) throw StorageError.invalidSignature("Invalid signature");
        return claims;
    }
}
