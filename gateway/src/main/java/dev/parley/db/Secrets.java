package dev.parley.db;

import dev.parley.config.Config;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/** The JWT secret of an embedded deployment, and values derived from it. */
public final class Secrets {
    private static final String FILE = "jwt-secret";

    private Secrets() {
    }

    /**
     * The configured secret, or with the embedded database the one kept in the data directory,
     * generated on the first start so that keys and sessions survive restarts.
     */
    public static String loadOrCreate(Config config) {
        if (config.jwtSecret() != null) return config.jwtSecret();
        Path file = config.dataDir().resolve(FILE);
        try {
            if (Files.exists(file)) return Files.readString(file, StandardCharsets.US_ASCII).trim();
            Files.createDirectories(config.dataDir());
            byte[] bytes = new byte[48];
            new SecureRandom().nextBytes(bytes);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            Files.writeString(file, secret + "\n", StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: nothing more we can restrict
            }
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read or write " + file + ": " + e.getMessage(), e);
        }
    }

    /** A stable value derived from the secret (HMAC-SHA256, base64url) for the given purpose. */
    public static String derive(String secret, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] out = mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
