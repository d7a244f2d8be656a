package dev.parley.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {

    @Test
    void defaultsMatchTheDocumentedRunContract() {
        Config c = Config.from(Map.of());
        assertEquals(54321, c.port());
        assertEquals(54322, c.embeddedDbPort());
        assertTrue(c.embeddedDatabase());
        assertTrue(c.dataDir().endsWith(".parley"));
        assertNull(c.jwtSecret(), "generated and kept in the data directory with the embedded database");
        assertEquals(java.util.List.of("public"), c.exposedSchemas());
    }

    @Test
    void externalDatabaseUrlIsParsed() {
        Config c = Config.from(Map.of("PARLEY_DB_URL", "postgres://app:p%40ss@db.example:6543/chat",
                "PARLEY_JWT_SECRET", "x".repeat(32)));
        DatabaseUrl u = c.databaseUrl();
        assertEquals("app", u.user());
        assertEquals("p@ss", u.password());
        assertEquals("db.example", u.host());
        assertEquals(6543, u.port());
        assertEquals("chat", u.database());
    }

    @Test
    void eachBadSettingFailsWithOneLineNamingTheVariable() {
        assertFails("PARLEY_PORT", Map.of("PARLEY_PORT", "http"));
        assertFails("PARLEY_PORT", Map.of("PARLEY_PORT", "70000"));
        assertFails("PARLEY_DB_PORT", Map.of("PARLEY_DB_PORT", "-1"));
        assertFails("PARLEY_JWT_SECRET", Map.of("PARLEY_JWT_SECRET", "short"));
        assertFails("PARLEY_JWT_SECRET", Map.of("PARLEY_DB_URL", "postgres://u@h/db"));
        assertFails("PARLEY_DB_URL", Map.of("PARLEY_DB_URL", "mysql://u@h/db", "PARLEY_JWT_SECRET", "x".repeat(32)));
        assertFails("PARLEY_DB_SCHEMAS", Map.of("PARLEY_DB_SCHEMAS", "public; drop table x"));
        assertFails("PARLEY_DB_POOL_SIZE", Map.of("PARLEY_DB_POOL_SIZE", "0"));
    }

    private static void assertFails(String variable, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> Config.from(env));
        assertTrue(e.getMessage().startsWith(variable + " "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }
}
