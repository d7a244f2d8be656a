package dev.parley.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Password hashing with bcrypt ($2a$, as GoTrue writes them, so hashes move between Parley and
 * Supabase in both directions). Hashing runs in the gateway, not in Postgres: the cost lands on
 * gateways, which scale out, instead of on the one database, and plaintext passwords never
 * travel to the database where statement logging could keep them.
 *
 * <p>Verification compares the computed hash in constant time (the library's
 * {@code equalsConstantTime}). When there is no hash to compare with (unknown email, a user
 * without a password) {@link #verify} still runs one full bcrypt against a dummy hash of the
 * same cost, so the response time does not tell whether an email is registered.
 */
final class Passwords {
    private final int cost;
    private final int minLength;
    private final BCrypt.Hasher hasher = BCrypt.with(BCrypt.Version.VERSION_2A,
            new java.security.SecureRandom(), LongPasswordStrategies.strict(BCrypt.Version.VERSION_2A));
    private final BCrypt.Verifyer verifyer = BCrypt.verifyer(BCrypt.Version.VERSION_2A, LongPasswordStrategies.strict(BCrypt.Version.VERSION_2A));
    private final String dummyHash;

    Passwords(int cost, int minLength) {
        this.cost = cost;
        this.minLength = minLength;
        this.dummyHash = hash("parley-dummy-password-for-unknown-users");
    }

    String hash(String password) {
        return hasher.hashToString(cost, password.toCharArray());
    }

    /**
     * True when {@code password} matches {@code storedHash}. A null, malformed or non-bcrypt
     * hash, or a password bcrypt cannot take (over 72 bytes), never matches, and still costs one
     * bcrypt run.
     */
    boolean verify(String password, String storedHash) {
        boolean usable = storedHash != null && storedHash.startsWith("$2") && password != null
                && password.getBytes(StandardCharsets.UTF_8).length <= AuthSettings.MAX_PASSWORD_BYTES;
        try {
            BCrypt.Result r = verifyer.verify((usable ? password : "x").toCharArray(), usable ? storedHash : dummyHash);
            return usable && r.verified;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** GoTrue's strength check: too long is a 400, too short a 422 weak_password with reasons. */
    void checkStrength(String password) {
        if (password.getBytes(StandardCharsets.UTF_8).length > AuthSettings.MAX_PASSWORD_BYTES) {
            throw AuthError.validation("Password cannot be longer than " + AuthSettings.MAX_PASSWORD_BYTES + " characters");
        }
        if (password.codePointCount(0, password.length()) < minLength) {
            throw AuthError.weakPassword("Password should be at least " + minLength + " characters.", List.of("length"));
        }
    }

    /** Only the length limit, for admin-created users (GoTrue skips the strength check there). */
    void checkHashable(String password) {
        if (password.getBytes(StandardCharsets.UTF_8).length > AuthSettings.MAX_PASSWORD_BYTES) {
            throw AuthError.validation("Password cannot be longer than " + AuthSettings.MAX_PASSWORD_BYTES + " characters");
        }
    }
}
