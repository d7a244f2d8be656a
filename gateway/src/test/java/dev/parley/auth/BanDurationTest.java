package dev.parley.auth;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The admin API's ban_duration follows Go's time.ParseDuration, as GoTrue reads it. */
class BanDurationTest {

    @Test
    void goDurationsWithEveryUnitFractionsAndSums() {
        assertEquals(Duration.ofHours(24), BanDuration.parse("24h"));
        assertEquals(Duration.ofMinutes(90), BanDuration.parse("1h30m"));
        assertEquals(Duration.ofMinutes(90), BanDuration.parse("1.5h"));
        assertEquals(Duration.ofMinutes(30), BanDuration.parse(".5h"));
        assertEquals(Duration.ofHours(1), BanDuration.parse("1.h"));
        assertEquals(Duration.ofSeconds(90), BanDuration.parse("90s"));
        assertEquals(Duration.ofMillis(1500), BanDuration.parse("1s500ms"));
        assertEquals(Duration.ofNanos(3_004_005), BanDuration.parse("3ms4us5ns"));
        assertEquals(Duration.ofNanos(2_000), BanDuration.parse("1µs1μs"));
        assertEquals(Duration.ofHours(876_000), BanDuration.parse("876000h"), "GoTrue's 'forever' idiom: 100 years");
        assertEquals(Duration.ofHours(2), BanDuration.parse("+2h"));
    }

    @Test
    void noneAndZeroLiftTheBanAndANegativeDurationEndsInThePast() {
        assertEquals(Duration.ZERO, BanDuration.parse("none"));
        assertEquals(Duration.ZERO, BanDuration.parse("0"));
        assertEquals(Duration.ZERO, BanDuration.parse("-0"));
        assertEquals(Duration.ofHours(-1), BanDuration.parse("-1h"));
    }

    @Test
    void anythingGoCannotParseIsA400ValidationFailure() {
        for (String bad : List.of("", "forever", "1d", "1", "h", "1 h", " 1h", "1h ", "1H", "1h-5m", "--1h", ".h", "1..5h",
                "1e3s", "NaN", "9223372036854775808ns", "2562048h")) {
            AuthError e = assertThrows(AuthError.class, () -> BanDuration.parse(bad), bad);
            assertEquals(400, e.status(), bad);
            assertEquals("validation_failed", e.errorCode(), bad);
            assertEquals("invalid format for ban duration: time: invalid duration \"" + bad + "\"", e.getMessage(), bad);
        }
    }
}
