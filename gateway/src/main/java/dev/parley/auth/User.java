package dev.parley.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.UUID;

/** One row of auth.users as the auth service reads it. */
record User(
        UUID id,
        String aud,
        String role,
        String email,
        String phone,
        String encryptedPassword,
        Instant emailConfirmedAt,
        Instant phoneConfirmedAt,
        Instant confirmedAt,
        Instant lastSignInAt,
        ObjectNode appMetadata,
        ObjectNode userMetadata,
        Instant bannedUntil,
        Instant createdAt,
        Instant updatedAt,
        Instant deletedAt,
        boolean isAnonymous) {

    boolean isBannedAt(Instant now) {
        return bannedUntil != null && now.isBefore(bannedUntil);
    }

    boolean isEmailConfirmed() {
        return emailConfirmedAt != null;
    }
}
