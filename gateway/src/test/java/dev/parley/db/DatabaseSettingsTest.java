package dev.parley.db;

import dev.parley.config.Config;
import dev.parley.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseSettingsTest {

    @Test
    void defaultsAreTenSecondsForAPooledConnectionAndFiveForAConnectAttempt() {
        DatabaseSettings s = DatabaseSettings.from(Config.from(Map.of()));
        assertEquals(Duration.ofSeconds(10), s.poolAcquisitionTimeout());
        assertEquals(Duration.ofSeconds(5), s.connectTimeout());
        DatabaseSettings set = DatabaseSettings.from(Config.from(Map.of(
                "PARLEY_DB_POOL_ACQUISITION_TIMEOUT", "3", "PARLEY_DB_CONNECT_TIMEOUT", "2")));
        assertEquals(Duration.ofSeconds(3), set.poolAcquisitionTimeout());
        assertEquals(Duration.ofSeconds(2), set.connectTimeout());
    }

    @Test
    void aBadValueIsRefusedNamingTheVariable() {
        // Read as Database.open reads them, first thing at start, without starting a gateway per case.
        for (var bad : Map.of("PARLEY_DB_POOL_ACQUISITION_TIMEOUT", "0", "PARLEY_DB_CONNECT_TIMEOUT", "601",
                "PARLEY_DB_POOL_ACQUISITION_TIMEOUT ", "x").entrySet()) {
            String name = bad.getKey().trim();
            Config config = Config.from(Map.of(name, bad.getValue()));
            ConfigException e = assertThrows(ConfigException.class, () -> DatabaseSettings.from(config));
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
    }
}
