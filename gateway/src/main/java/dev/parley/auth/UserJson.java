package dev.parley.auth;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A user as GoTrue serializes it (field names, order, and which fields are left out when empty),
 * so supabase-js's {@code User} type sees what it expects. Email sign-up is the only provider,
 * so a user with an email has exactly one identity, "email", derived from the row: its
 * identity_id is a name-based UUID of the user id, stable across calls.
 */
final class UserJson {
    private UserJson() {
    }

    static Map<String, Object> of(User u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", u.id().toString());
        m.put("aud", u.aud());
        m.put("role", u.role());
        m.put("email", u.email() == null ? "" : u.email());
        putTime(m, "email_confirmed_at", u.emailConfirmedAt());
        m.put("phone", u.phone() == null ? "" : u.phone());
        putTime(m, "phone_confirmed_at", u.phoneConfirmedAt());
        putTime(m, "confirmed_at", u.confirmedAt());
        putTime(m, "last_sign_in_at", u.lastSignInAt());
        m.put("app_metadata", u.appMetadata());
        m.put("user_metadata", u.userMetadata());
        m.put("identities", identities(u));
        m.put("created_at", time(u.createdAt()));
        m.put("updated_at", time(u.updatedAt()));
        putTime(m, "banned_until", u.bannedUntil());
        putTime(m, "deleted_at", u.deletedAt());
        m.put("is_anonymous", u.isAnonymous());
        return m;
    }

    private static List<Map<String, Object>> identities(User u) {
        if (u.email() == null || u.email().isEmpty()) return List.of();
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("email", u.email());
        data.put("email_verified", u.isEmailConfirmed());
        data.put("phone_verified", false);
        data.put("sub", u.id().toString());
        Map<String, Object> i = new LinkedHashMap<>();
        i.put("identity_id", UUID.nameUUIDFromBytes(("email:" + u.id()).getBytes(StandardCharsets.UTF_8)).toString());
        i.put("id", u.id().toString());
        i.put("user_id", u.id().toString());
        i.put("identity_data", data);
        i.put("provider", "email");
        putTime(i, "last_sign_in_at", u.lastSignInAt());
        i.put("created_at", time(u.createdAt()));
        i.put("updated_at", time(u.updatedAt()));
        i.put("email", u.email());
        return List.of(i);
    }

    private static void putTime(Map<String, Object> m, String key, Instant t) {
        if (t != null) m.put(key, time(t));
    }

    /** RFC 3339 in UTC with the fraction Postgres kept, as Go's time.Time marshals. */
    static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
