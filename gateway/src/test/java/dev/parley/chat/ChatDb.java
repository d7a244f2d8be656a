package dev.parley.chat;

import dev.parley.auth.Caller;
import dev.parley.testing.TestGateway;
import dev.parley.testing.TestPostgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SQL as a request runs it: each call is one transaction on the gateway's request pool (logged in
 * as authenticator) opened by RequestTransactions with the caller's role and claims, so RLS,
 * grants and auth.uid() apply exactly as they do behind /rest/v1.
 */
final class ChatDb {
    private final TestGateway gw;

    ChatDb(TestGateway gw) {
        this.gw = gw;
    }

    /** A signed-in user (creates auth.users row, and so the profile) and their caller. */
    Caller newUser(String email) {
        UUID id = gw.createUser(email);
        return caller(id);
    }

    Caller caller(UUID id) {
        return gw.gateway().context().jwt().verify(gw.userToken(id));
    }

    /** A new room of {@code owner}'s (of {@code type}, with a fresh name) with each of {@code members} invited. */
    UUID roomWith(Caller owner, String type, Caller... members) throws SQLException {
        UUID room = (UUID) value(owner, "select id from create_room(?, null, ?)", "room " + UUID.randomUUID(), type);
        for (Caller m : members) query(owner, "select invite_member(?, ?)", room, id(m));
        return room;
    }

    static Caller anon() {
        return Caller.anonymous();
    }

    static UUID id(Caller c) {
        return UUID.fromString(c.sub());
    }

    List<Map<String, Object>> query(Caller caller, String sql, Object... params) throws SQLException {
        return gw.gateway().context().transactions().run(caller, false, c -> rows(c, sql, params));
    }

    Map<String, Object> one(Caller caller, String sql, Object... params) throws SQLException {
        List<Map<String, Object>> rows = query(caller, sql, params);
        assertEquals(1, rows.size(), () -> sql + " returned " + rows);
        return rows.get(0);
    }

    Object value(Caller caller, String sql, Object... params) throws SQLException {
        return one(caller, sql, params).values().iterator().next();
    }

    int update(Caller caller, String sql, Object... params) throws SQLException {
        return gw.gateway().context().transactions().run(caller, false, c -> {
            try (PreparedStatement st = c.prepareStatement(sql)) {
                bind(st, params);
                return st.executeUpdate();
            }
        });
    }

    /** Asserts the statement fails as the caller with this SQLSTATE; returns the error message. */
    String refused(String sqlState, Caller caller, String sql, Object... params) {
        SQLException e = assertThrows(SQLException.class, () -> query(caller, sql, params), sql);
        assertEquals(sqlState, e.getSQLState(), e::getMessage);
        return e.getMessage();
    }

    /** Asserts the statement fails as the caller with this SQLSTATE and a message containing text. */
    void refused(String sqlState, String text, Caller caller, String sql, Object... params) {
        String message = refused(sqlState, caller, sql, params);
        assertTrue(message.contains(text), message);
    }

    /** As the superuser (what psql would see), bypassing RLS. */
    List<Map<String, Object>> admin(String sql, Object... params) throws SQLException {
        try (Connection c = TestPostgres.connect(gw.database())) {
            return rows(c, sql, params);
        }
    }

    Object adminValue(String sql, Object... params) throws SQLException {
        List<Map<String, Object>> rows = admin(sql, params);
        assertEquals(1, rows.size(), () -> sql + " returned " + rows);
        return rows.get(0).values().iterator().next();
    }

    private static List<Map<String, Object>> rows(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            bind(st, params);
            boolean hasRows = st.execute();
            List<Map<String, Object>> out = new ArrayList<>();
            if (!hasRows) return out;
            try (ResultSet rs = st.getResultSet()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) row.put(md.getColumnLabel(i), rs.getObject(i));
                    out.add(row);
                }
            }
            return out;
        }
    }

    private static void bind(PreparedStatement st, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) st.setObject(i + 1, params[i]);
    }
}
