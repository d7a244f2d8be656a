package dev.parley;

import dev.parley.auth.Caller;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class GatewayStartTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();

    @Test
    void healthIsOkOnceDatabaseMigrationsAndListenerAreUp() {
        var res = gw.get("/health", null);
        assertEquals(200, res.statusCode());
        assertEquals("{\"status\":\"ok\"}", res.body());
    }

    @Test
    void apiKeysAreStableJwtsForTheirRoles() {
        Caller anon = gw.gateway().context().jwt().verify(gw.anonKey());
        Caller service = gw.gateway().context().jwt().verify(gw.serviceKey());
        assertEquals("anon", anon.role());
        assertEquals("service_role", service.role());
        assertEquals(gw.anonKey(), gw.gateway().context().jwt().apiKey("anon"));
    }

    @Test
    void requestsRunAsTheCallersRoleWithClaimsVisibleToSql() throws Exception {
        UUID user = UUID.randomUUID();
        Caller caller = gw.gateway().context().jwt().verify(gw.userToken(user));
        Map<String, String> seen = gw.gateway().context().transactions().run(caller, true, c -> {
            try (ResultSet rs = c.createStatement().executeQuery(
                    "select current_user, session_user, auth.uid()::text, auth.role(), auth.jwt()->>'aud',"
                            + " current_setting('app.user_id')")) {
                rs.next();
                return Map.of("current", rs.getString(1), "session", rs.getString(2), "uid", rs.getString(3),
                        "role", rs.getString(4), "aud", rs.getString(5), "app", rs.getString(6));
            }
        });
        assertEquals("authenticated", seen.get("current"));
        assertEquals("authenticator", seen.get("session"), "request connections never log in as a superuser");
        assertEquals(user.toString(), seen.get("uid"));
        assertEquals("authenticated", seen.get("role"));
        assertEquals("authenticated", seen.get("aud"));
        assertEquals(user.toString(), seen.get("app"));
    }

    @Test
    void callerSettingsDoNotLeakIntoTheNextTransaction() throws Exception {
        Caller user = gw.gateway().context().jwt().verify(gw.userToken(UUID.randomUUID()));
        var tx = gw.gateway().context().transactions();
        for (int i = 0; i < 12; i++) { // more than the pool holds, so connections are reused
            tx.run(user, false, c -> c.createStatement().execute("select 1"));
        }
        String after = gw.gateway().context().database().requestPool().getConnection().createStatement()
                .executeQuery("select current_user || '/' || coalesce(current_setting('request.jwt.claim.sub', true), '')")
                .next() ? "checked" : "none";
        assertEquals("checked", after);
        try (var c = gw.gateway().context().database().requestPool().getConnection();
             var rs = c.createStatement().executeQuery(
                     "select current_user, coalesce(current_setting('request.jwt.claim.sub', true), '')")) {
            rs.next();
            assertEquals("authenticator", rs.getString(1));
            assertEquals("", rs.getString(2));
        }
    }

    @Test
    void resetRoleInsideARequestLandsOnARoleWithoutPrivileges() {
        Caller service = gw.gateway().context().jwt().verify(gw.serviceKey());
        gw.sql("create table if not exists secrets (v text); insert into secrets values ('x')");
        var ex = assertThrows(java.sql.SQLException.class, () -> gw.gateway().context().transactions().run(service, false,
                c -> c.createStatement().executeQuery("reset role; select * from secrets")));
        assertEquals("42501", ex.getSQLState());
    }

    @Test
    void aSecondGatewaySharesTheDatabase() {
        try (TestGateway second = TestGateway.startOn(gw.database(), Map.of())) {
            assertEquals(200, second.get("/health", null).statusCode());
            assertEquals(gw.anonKey(), second.anonKey(), "same secret, same keys");
        }
        assertEquals(200, gw.get("/health", null).statusCode());
    }

    @Test
    void requestsSurviveConnectionsKilledUnderThePool() throws Exception {
        Caller anon = Caller.anonymous();
        var tx = gw.gateway().context().transactions();
        tx.run(anon, true, c -> c.createStatement().execute("select 1"));
        gw.sql("select pg_terminate_backend(pid) from pg_stat_activity"
                + " where usename = 'authenticator' and datname = current_database()");
        for (int i = 0; i < 8; i++) {
            assertEquals(1, (int) tx.run(anon, true, c -> {
                try (ResultSet rs = c.createStatement().executeQuery("select 1")) {
                    rs.next();
                    return rs.getInt(1);
                }
            }));
        }
    }

    @Test
    void listenerIsConnected() {
        assertTrue(gw.gateway().context().notifications().isConnected());
        assertFalse(gw.gateway().context().config().embeddedDatabase());
    }
}
