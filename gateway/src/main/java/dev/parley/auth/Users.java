package dev.parley.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.http.Json;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * SQL over auth.users. Every statement has bound parameters only; callers pass a connection of
 * the admin pool (the auth service is the identity service and works beneath RLS).
 */
final class Users {
    private static final String COLUMNS = "id, aud, role, email, phone, encrypted_password, email_confirmed_at,"
            + " phone_confirmed_at, confirmed_at, last_sign_in_at, raw_app_meta_data::text, raw_user_meta_data::text,"
            + " banned_until, created_at, updated_at, deleted_at, is_anonymous";

    private Users() {
    }

    /** The new row's values; metadata as JSON objects. */
    record NewUser(UUID id, String email, String encryptedPassword, boolean emailConfirmed, String role,
                   ObjectNode appMetadata, ObjectNode userMetadata, Instant bannedUntil) {
    }

    /** Inserts in one statement, so an AFTER INSERT trigger (the profile hook) sees the complete row. */
    static User insert(Connection c, NewUser u) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("insert into auth.users (id, email, encrypted_password,"
                + " email_confirmed_at, role, raw_app_meta_data, raw_user_meta_data, banned_until)"
                + " values (?, ?, ?, case when ? then now() end, ?, ?::jsonb, ?::jsonb, ?) returning " + COLUMNS)) {
            st.setObject(1, u.id());
            st.setString(2, u.email());
            st.setString(3, u.encryptedPassword());
            st.setBoolean(4, u.emailConfirmed());
            st.setString(5, u.role());
            st.setString(6, Json.write(u.appMetadata()));
            st.setString(7, Json.write(u.userMetadata()));
            setTime(st, 8, u.bannedUntil());
            return one(st).orElseThrow();
        }
    }

    static Optional<User> byEmail(Connection c, String normalizedEmail) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select " + COLUMNS + " from auth.users where lower(email) = ?")) {
            st.setString(1, normalizedEmail);
            return one(st);
        }
    }

    static Optional<User> byId(Connection c, UUID id, boolean forUpdate) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select " + COLUMNS + " from auth.users where id = ?"
                + (forUpdate ? " for update" : ""))) {
            st.setObject(1, id);
            return one(st);
        }
    }

    /** Users newest first, as GoTrue's admin list; {@code filter} matches email or full_name. */
    static List<User> page(Connection c, long offset, long limit, String filter) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select " + COLUMNS + " from auth.users"
                + " where (?::text is null or email ilike ? or raw_user_meta_data ->> 'full_name' ilike ?)"
                + " order by created_at desc, id offset ? limit ?")) {
            String like = filter == null ? null : "%" + escapeLike(filter) + "%";
            st.setString(1, filter);
            st.setString(2, like);
            st.setString(3, like);
            st.setLong(4, offset);
            st.setLong(5, limit);
            List<User> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.add(read(rs));
            }
            return out;
        }
    }

    static long count(Connection c, String filter) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select count(*) from auth.users"
                + " where (?::text is null or email ilike ? or raw_user_meta_data ->> 'full_name' ilike ?)")) {
            String like = filter == null ? null : "%" + escapeLike(filter) + "%";
            st.setString(1, filter);
            st.setString(2, like);
            st.setString(3, like);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The changes an update makes; null fields stay as they are. */
    record Changes(String email, String encryptedPassword, Boolean confirmEmail, String role,
                   ObjectNode appMetadata, ObjectNode userMetadata, Instant bannedUntil, boolean unban) {
    }

    static User update(Connection c, UUID id, Changes ch) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("update auth.users set"
                + " email = coalesce(?, email),"
                + " encrypted_password = coalesce(?, encrypted_password),"
                + " email_confirmed_at = case when ? then coalesce(email_confirmed_at, now()) else email_confirmed_at end,"
                + " role = coalesce(?, role),"
                + " raw_app_meta_data = coalesce(?::jsonb, raw_app_meta_data),"
                + " raw_user_meta_data = coalesce(?::jsonb, raw_user_meta_data),"
                + " banned_until = case when ? then null else coalesce(?, banned_until) end,"
                + " updated_at = now()"
                + " where id = ? returning " + COLUMNS)) {
            st.setString(1, ch.email());
            st.setString(2, ch.encryptedPassword());
            st.setBoolean(3, Boolean.TRUE.equals(ch.confirmEmail()));
            st.setString(4, ch.role());
            st.setString(5, ch.appMetadata() == null ? null : Json.write(ch.appMetadata()));
            st.setString(6, ch.userMetadata() == null ? null : Json.write(ch.userMetadata()));
            st.setBoolean(7, ch.unban());
            setTime(st, 8, ch.bannedUntil());
            st.setObject(9, id);
            return one(st).orElseThrow(() -> AuthError.of(404, "user_not_found", "User not found"));
        }
    }

    static User touchSignIn(Connection c, UUID id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("update auth.users set last_sign_in_at = now(), updated_at = now()"
                + " where id = ? returning " + COLUMNS)) {
            st.setObject(1, id);
            return one(st).orElseThrow(() -> AuthError.of(404, "user_not_found", "User not found"));
        }
    }

    /** Deletes the user; sessions, refresh tokens and rows of schemas that cascade go with it. */
    static boolean delete(Connection c, UUID id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("delete from auth.users where id = ?")) {
            st.setObject(1, id);
            return st.executeUpdate() == 1;
        }
    }

    /**
     * GoTrue's soft delete: the row stays (rows of other schemas that reference it survive) but
     * can no longer sign in: email and password are cleared and deleted_at is set.
     */
    static void softDelete(Connection c, UUID id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("update auth.users set deleted_at = coalesce(deleted_at, now()),"
                + " email = null, phone = null, encrypted_password = null, updated_at = now() where id = ?")) {
            st.setObject(1, id);
            st.executeUpdate();
        }
    }

    private static Optional<User> one(PreparedStatement st) throws SQLException {
        try (ResultSet rs = st.executeQuery()) {
            return rs.next() ? Optional.of(read(rs)) : Optional.empty();
        }
    }

    private static User read(ResultSet rs) throws SQLException {
        return new User(
                rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), instant(rs, 7), instant(rs, 8), instant(rs, 9), instant(rs, 10),
                object(rs.getString(11)), object(rs.getString(12)), instant(rs, 13), instant(rs, 14), instant(rs, 15),
                instant(rs, 16), rs.getBoolean(17));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static ObjectNode object(String json) {
        try {
            JsonNode n = json == null ? null : Json.MAPPER.readTree(json);
            return n instanceof ObjectNode o ? o : Json.MAPPER.createObjectNode();
        } catch (JsonProcessingException e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    private static void setTime(PreparedStatement st, int index, Instant t) throws SQLException {
        if (t == null) st.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        else st.setObject(index, java.time.OffsetDateTime.ofInstant(t, java.time.ZoneOffset.UTC));
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
