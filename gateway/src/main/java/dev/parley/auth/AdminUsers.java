package dev.parley.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.http.Json;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * GoTrue's admin user API, for service_role tokens only: list (page, per_page, filter), create,
 * get, update, delete under /admin/users[/{id}]. Anyone else gets 403 not_admin.
 */
final class AdminUsers {
    static final int DEFAULT_PER_PAGE = 50;
    static final int MAX_PER_PAGE = 1000;
    private final AuthContext auth;

    AdminUsers(AuthContext auth) {
        this.auth = auth;
    }

    void handle(HttpServerExchange exchange, String path) throws SQLException {
        Caller caller = AuthRequest.bearer(exchange, auth.jwt());
        if (!caller.isServiceRole()) throw AuthError.forbidden("not_admin", "User not allowed");
        HttpString method = exchange.getRequestMethod();
        if (path.equals("/admin/users")) {
            if (Methods.GET.equals(method)) list(exchange);
            else if (Methods.POST.equals(method)) create(exchange);
            else AuthApi.notAllowed(exchange);
            return;
        }
        String rest = path.substring("/admin/users/".length());
        if (rest.contains("/")) {
            AuthApi.notFound(exchange);
            return;
        }
        UUID id = AuthRequest.uuidOrNull(rest);
        if (id == null) throw AuthError.of(404, "validation_failed", "user_id must be an UUID");
        if (Methods.GET.equals(method)) get(exchange, id);
        else if (Methods.PUT.equals(method)) update(exchange, id);
        else if (Methods.DELETE.equals(method)) delete(exchange, id);
        else AuthApi.notAllowed(exchange);
    }

    private static AuthError userNotFound() {
        return AuthError.of(404, "user_not_found", "User not found");
    }

    private void list(HttpServerExchange exchange) throws SQLException {
        long page = pagination(exchange, "page", 1);
        long perPage = Math.min(pagination(exchange, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE);
        String rawFilter = AuthRequest.query(exchange, "filter");
        String filter = rawFilter == null || rawFilter.isEmpty() ? null : rawFilter;
        record Page(List<User> users, long total) {
        }
        Page p = auth.read(c -> new Page(Users.page(c, (page - 1) * perPage, perPage, filter), Users.count(c, filter)));
        List<Map<String, Object>> users = new ArrayList<>();
        for (User u : p.users()) users.add(UserJson.of(u));
        paginationHeaders(exchange, page, perPage, p.total());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("users", users);
        body.put("aud", "authenticated");
        Json.send(exchange, 200, body);
    }

    private static long pagination(HttpServerExchange exchange, String name, long fallback) {
        String v = AuthRequest.query(exchange, name);
        if (v == null || v.isEmpty()) return fallback;
        try {
            long n = Long.parseLong(v);
            if (n < 0) throw new NumberFormatException();
            return n == 0 ? fallback : n;
        } catch (NumberFormatException e) {
            throw AuthError.validation("Bad Pagination Parameters: strconv.ParseUint: parsing \"" + v + "\": invalid syntax");
        }
    }

    /**
     * GoTrue's Link (next, last) and X-Total-Count. The link's query is sorted by name, so page
     * comes first: supabase-js reads the page number from the first "=" of each link.
     */
    private static void paginationHeaders(HttpServerExchange exchange, long page, long perPage, long total) {
        long lastPage = (total + perPage - 1) / perPage;
        String path = exchange.getRelativePath();
        StringBuilder link = new StringBuilder();
        if (lastPage > page) link.append('<').append(pageUrl(exchange, path, page + 1)).append(">; rel=\"next\", ");
        link.append('<').append(pageUrl(exchange, path, lastPage)).append(">; rel=\"last\"");
        exchange.getResponseHeaders().put(new HttpString("Link"), link.toString());
        exchange.getResponseHeaders().put(new HttpString("X-Total-Count"), Long.toString(total));
    }

    private static String pageUrl(HttpServerExchange exchange, String path, long page) {
        TreeMap<String, String> query = new TreeMap<>();
        for (Map.Entry<String, Deque<String>> e : exchange.getQueryParameters().entrySet()) {
            if (!e.getValue().isEmpty()) query.put(e.getKey(), e.getValue().getFirst());
        }
        query.put("page", Long.toString(page));
        StringBuilder sb = new StringBuilder(path).append('?');
        query.forEach((k, v) -> sb.append(enc(k)).append('=').append(enc(v)).append('&'));
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void get(HttpServerExchange exchange, UUID id) throws SQLException {
        User u = auth.read(c -> Users.byId(c, id, false)).orElseThrow(AdminUsers::userNotFound);
        Json.send(exchange, 200, UserJson.of(u));
    }

    /** The attributes of a create or update request. */
    private record Attributes(String email, String password, String passwordHash, boolean emailConfirm,
                              ObjectNode userMetadata, ObjectNode appMetadata, Duration ban, String role, String id) {

        static Attributes of(ObjectNode body) {
            String phone = AuthRequest.text(body, "phone");
            if (phone != null && !phone.isEmpty()) {
                throw AuthError.badRequest("phone_provider_disabled", "Phone numbers are not supported by this server");
            }
            String email = AuthRequest.text(body, "email");
            String ban = AuthRequest.text(body, "ban_duration");
            String role = AuthRequest.text(body, "role");
            return new Attributes(email == null || email.isEmpty() ? null : AuthRequest.normalizeEmail(email),
                    AuthRequest.text(body, "password"), AuthRequest.text(body, "password_hash"),
                    AuthRequest.bool(body, "email_confirm"), AuthRequest.object(body, "user_metadata"),
                    AuthRequest.object(body, "app_metadata"), ban == null || ban.isEmpty() ? null : BanDuration.parse(ban),
                    role == null || role.isEmpty() ? null : role, AuthRequest.text(body, "id"));
        }

        Instant bannedUntil() {
            return ban == null || ban.isZero() ? null : Instant.now().plus(ban);
        }

        boolean unban() {
            return ban != null && ban.isZero();
        }
    }

    private void create(HttpServerExchange exchange) throws SQLException {
        Attributes a = Attributes.of(AuthRequest.body(exchange));
        if (a.email() == null) throw AuthError.validation("Cannot create a user without either an email or phone");
        if (a.password() != null && a.passwordHash() != null) {
            throw AuthError.validation("Only a password or a password hash should be provided");
        }
        UUID id = UUID.randomUUID();
        if (a.id() != null && !a.id().isEmpty()) {
            id = AuthRequest.uuidOrNull(a.id());
            if (id == null) throw AuthError.validation("ID must conform to the uuid v4 format");
            if (id.getMostSignificantBits() == 0 && id.getLeastSignificantBits() == 0) {
                throw AuthError.validation("ID cannot be a nil uuid");
            }
        }
        String hash = null;
        if (a.passwordHash() != null) {
            if (!a.passwordHash().matches("^\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}$")) {
                throw AuthError.validation("crypto/bcrypt: hashedSecret too short to be a bcrypted password");
            }
            hash = a.passwordHash();
        } else if (a.password() != null && !a.password().isEmpty()) {
            auth.passwords().checkHashable(a.password());
            hash = auth.passwords().hash(a.password());
        }
        ObjectNode app = a.appMetadata() == null ? AccountEndpoints.emailAppMetadata()
                : AccountEndpoints.merge(AccountEndpoints.emailAppMetadata(), a.appMetadata());
        ObjectNode meta = a.userMetadata() == null ? Json.MAPPER.createObjectNode() : a.userMetadata().deepCopy();
        if (a.emailConfirm()) meta.put("email_verified", true);
        Users.NewUser row = new Users.NewUser(id, a.email(), hash, a.emailConfirm(),
                a.role() == null ? Caller.AUTHENTICATED : a.role(), app, meta, a.bannedUntil());
        User created;
        try {
            created = auth.inTransaction(c -> {
                if (Users.byEmail(c, a.email()).isPresent()) {
                    throw AuthError.unprocessable("email_exists", AccountEndpoints.DUPLICATE_EMAIL);
                }
                return Users.insert(c, row);
            });
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw AuthError.unprocessable("email_exists", AccountEndpoints.DUPLICATE_EMAIL);
            }
            throw AuthApi.databaseError("Database error creating new user", e);
        }
        Json.send(exchange, 200, UserJson.of(created));
    }

    private void update(HttpServerExchange exchange, UUID id) throws SQLException {
        Attributes a = Attributes.of(AuthRequest.body(exchange));
        if (auth.read(c -> Users.byId(c, id, false)).isEmpty()) throw userNotFound();
        String hash = null;
        if (a.password() != null) {
            auth.passwords().checkStrength(a.password());
            hash = auth.passwords().hash(a.password());
        }
        String newHash = hash;
        User updated;
        try {
            updated = auth.inTransaction(c -> {
                User u = Users.byId(c, id, true).orElseThrow(AdminUsers::userNotFound);
                ObjectNode meta = a.userMetadata() == null ? null : AccountEndpoints.merge(u.userMetadata(), a.userMetadata());
                if (a.emailConfirm()) {
                    if (meta == null) meta = u.userMetadata().deepCopy();
                    meta.put("email_verified", true);
                }
                ObjectNode app = a.appMetadata() == null ? null : AccountEndpoints.merge(u.appMetadata(), a.appMetadata());
                User changed = Users.update(c, id, new Users.Changes(a.email(), newHash, a.emailConfirm(), a.role(), app,
                        meta, a.bannedUntil(), a.unban()));
                // As GoTrue: a password set by an administrator signs the user out everywhere.
                if (newHash != null) Sessions.deleteAllOf(c, id, null);
                return changed;
            });
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw AuthError.unprocessable("email_exists", AccountEndpoints.DUPLICATE_EMAIL);
            }
            throw AuthApi.databaseError("Error updating user", e);
        }
        Json.send(exchange, 200, UserJson.of(updated));
    }

    private void delete(HttpServerExchange exchange, UUID id) throws SQLException {
        ObjectNode body = AuthRequest.body(exchange);
        boolean soft = AuthRequest.bool(body, "should_soft_delete");
        auth.inTransaction(c -> {
            if (Users.byId(c, id, true).isEmpty()) throw userNotFound();
            if (soft) {
                Users.softDelete(c, id);
                Sessions.deleteAllOf(c, id, null);
            } else {
                Users.delete(c, id);
            }
            return null;
        });
        Json.send(exchange, 200, Map.of());
    }
}
