package dev.parley.testing;

import dev.parley.Gateway;
import dev.parley.config.Config;
import dev.parley.config.DatabaseUrl;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A real gateway on a random port over its own fresh database (see {@link TestPostgres}), for
 * one test class. Tests speak to it over real HTTP and sockets, and set up schema with
 * {@link #sql} as the superuser, as a user would with psql.
 *
 * <p>A test class holds it as {@code @RegisterExtension static final TestGateway gw = TestGateway.start();}:
 * the gateway starts when the class is initialised and JUnit closes it after the class's last test,
 * so no class repeats the start/stop lifecycle methods.
 */
public final class TestGateway implements AutoCloseable, AfterAllCallback {
    public static final String SECRET = "parley-test-secret-0123456789-abcdefghijklmnop";

    private final Gateway gateway;
    private final DatabaseUrl database;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestGateway(Gateway gateway, DatabaseUrl database) {
        this.gateway = gateway;
        this.database = database;
    }

    public static TestGateway start() {
        return start(Map.of());
    }

    /** Starts a gateway; {@code env} adds or overrides PARLEY_* settings. */
    public static TestGateway start(Map<String, String> env) {
        DatabaseUrl db = TestPostgres.newDatabase();
        return startOn(db, env);
    }

    /** A gateway over an existing database: a second node, or a restart. */
    public static TestGateway startOn(DatabaseUrl db, Map<String, String> env) {
        try {
            Path dir = Files.createTempDirectory("parley-test");
            Map<String, String> all = new HashMap<>();
            all.put("PARLEY_PORT", "0");
            all.put("PARLEY_HOST", "127.0.0.1");
            all.put("PARLEY_DATA_DIR", dir.toString());
            all.put("PARLEY_DB_URL", "postgres://" + db.user() + "@" + db.host() + ":" + db.port() + "/" + db.database());
            all.put("PARLEY_JWT_SECRET", SECRET);
            all.put("PARLEY_DB_POOL_SIZE", "6");
            all.putAll(env);
            return new TestGateway(Gateway.start(Config.from(all)), db);
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("test gateway did not start: " + e.getMessage(), e);
        }
    }

    public Gateway gateway() {
        return gateway;
    }

    public DatabaseUrl database() {
        return database;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + gateway.port();
    }

    public String anonKey() {
        return gateway.anonKey();
    }

    public String serviceKey() {
        return gateway.serviceRoleKey();
    }

    /** An access token for a signed-in user, as the auth service would issue it. */
    public String userToken(UUID userId) {
        return gateway.context().jwt().sign(
                Map.of("sub", userId.toString(), "role", "authenticated", "aud", "authenticated"), 3600);
    }

    /** Runs SQL as the superuser (schema set-up, as with psql). */
    public void sql(String sql) {
        try (Connection c = TestPostgres.connect(database); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Creates a user in auth.users and returns its id. */
    public UUID createUser(String email) {
        UUID id = UUID.randomUUID();
        sql("insert into auth.users (id, email) values ('" + id + "', '" + email.replace("'", "''") + "')");
        return id;
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30));
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> get(String path, String token) {
        HttpRequest.Builder b = request(path).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return send(b.build());
    }

    public HttpClient http() {
        return http;
    }

    @Override
    public void close() {
        gateway.close();
    }

    /**
     * Closes the gateway when the class that holds it is done. JUnit hands a class's extensions
     * down to its {@code @Nested} classes, whose ends must not close it.
     */
    @Override
    public void afterAll(ExtensionContext context) {
        if (heldBy(context.getRequiredTestClass())) close();
    }

    private boolean heldBy(Class<?> testClass) {
        for (Field f : testClass.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != TestGateway.class) continue;
            try {
                f.setAccessible(true);
                if (f.get(null) == this) return true;
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return false;
    }
}
