package dev.parley.chat;

import dev.parley.auth.Caller;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.parley.chat.ChatDb.anon;
import static dev.parley.chat.ChatDb.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rooms and membership as the functions and policies enforce them, for an admin, a member, an
 * outsider and anon: who sees which room, who joins, invites, kicks, bans, changes roles, leaves.
 */
@Timeout(60)
class ChatRoomsTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final ChatDb db = new ChatDb(gw);
    static Caller admin;
    static Caller member;
    static Caller outsider;
    static Caller other;

    @BeforeAll
    static void start() {
        admin = db.newUser("ada@rooms.example.com");
        member = db.newUser("max@rooms.example.com");
        outsider = db.newUser("olga@rooms.example.com");
        other = db.newUser("otto@rooms.example.com");
    }

    UUID createRoom(Caller c, String name, String type) throws Exception {
        return (UUID) db.one(c, "select id from create_room(?, 'about ' || ?, ?)", name, name, type).get("id");
    }

    /** A room of admin's with member in it. */
    UUID roomWithMember(String type) throws Exception {
        return db.roomWith(admin, type, member);
    }

    String roleOf(UUID room, Caller c) throws Exception {
        List<Map<String, Object>> rows = db.admin("select role from room_members where room_id = ? and user_id = ?", room, id(c));
        return rows.isEmpty() ? null : (String) rows.get(0).get("role");
    }

    long count(Caller c, String sql, Object... params) throws Exception {
        return ((Number) db.value(c, sql, params)).longValue();
    }

    @Test
    void createRoomMakesTheCallerItsAdmin() throws Exception {
        Map<String, Object> room = db.one(admin, "select * from create_room('lobby', 'hello', 'private')");
        assertEquals("lobby", room.get("name"));
        assertEquals("private", room.get("type"));
        assertEquals(id(admin), room.get("created_by"));
        assertEquals("admin", roleOf((UUID) room.get("id"), admin));
    }

    @Test
    void createRoomRefusesBadArgumentsAnonAndDirectRooms() {
        db.refused("22023", "direct rooms come from open_direct", admin, "select create_room('x', null, 'direct')");
        db.refused("22023", "type must be public or private", admin, "select create_room('x', null, 'secret')");
        db.refused("22023", "1 to 100 characters", admin, "select create_room('   ')");
        db.refused("42501", anon(), "select create_room('x')");
        // Rooms are made by the functions only: a direct insert is refused by the grants.
        db.refused("42501", admin, "insert into rooms (name) values ('raw')");
    }

    @Test
    void publicRoomsAreVisibleToEverySignedInUserPrivateOnesToMembers() throws Exception {
        UUID pub = createRoom(admin, "pub-visible", "public");
        UUID priv = createRoom(admin, "priv-visible", "private");
        assertEquals(1, count(outsider, "select count(*) from rooms where id = ?", pub));
        assertEquals(0, count(outsider, "select count(*) from rooms where id = ?", priv));
        assertEquals(1, count(admin, "select count(*) from rooms where id = ?", priv));
        db.refused("42501", "permission denied", anon(), "select * from rooms");
        db.refused("42501", "permission denied", anon(), "select * from rooms_with_latest_message");
    }

    @Test
    void anyoneSignedInJoinsAPublicRoomOnceButNotAPrivateOne() throws Exception {
        UUID pub = createRoom(admin, "pub-join", "public");
        UUID priv = createRoom(admin, "priv-join", "private");
        Map<String, Object> m = db.one(outsider, "select * from join_room(?)", pub);
        assertEquals("member", m.get("role"));
        assertEquals(m.get("joined_at"), db.one(outsider, "select * from join_room(?)", pub).get("joined_at"));
        db.refused("PT404", "room not found", outsider, "select join_room(?)", priv);
        db.refused("PT404", "room not found", outsider, "select join_room(?)", UUID.randomUUID());
        db.refused("42501", anon(), "select join_room(?)", pub);
        assertEquals(0, count(outsider, "select count(*) from room_members where room_id = ?", priv));
    }

    @Test
    void adminsAndModeratorsInviteMembersDoNot() throws Exception {
        UUID priv = roomWithMember("private");
        assertEquals("member", roleOf(priv, member));
        db.refused("42501", "only admins and moderators of this room can invite", member,
                "select invite_member(?, ?)", priv, id(outsider));
        db.refused("PT404", "room not found", outsider, "select invite_member(?, ?)", priv, id(other));
        db.refused("PT404", "user not found", admin, "select invite_member(?, ?)", priv, UUID.randomUUID());
        db.query(admin, "select set_member_role(?, ?, 'moderator')", priv, id(member));
        db.query(member, "select invite_member(?, ?)", priv, id(outsider));
        assertEquals("member", roleOf(priv, outsider));
        // The invited user now sees the private room and its members.
        assertEquals(1, count(outsider, "select count(*) from rooms where id = ?", priv));
        assertEquals(3, count(outsider, "select count(*) from room_members where room_id = ?", priv));
    }

    @Test
    void moderatorsKickMembersButNotTheirEqualsOrBetters() throws Exception {
        UUID room = roomWithMember("public");
        db.query(other, "select join_room(?)", room);
        db.query(outsider, "select join_room(?)", room);
        db.refused("42501", "only admins and moderators of this room can kick members", other,
                "select kick_member(?, ?)", room, id(outsider));
        db.query(admin, "select set_member_role(?, ?, 'moderator')", room, id(member));
        db.query(member, "select kick_member(?, ?)", room, id(outsider));
        assertEquals(null, roleOf(room, outsider));
        db.refused("42501", "moderators cannot kick admins", member, "select kick_member(?, ?)", room, id(admin));
        db.refused("22023", "use leave_room", member, "select kick_member(?, ?)", room, id(member));
        db.refused("PT404", "not a member", member, "select kick_member(?, ?)", room, id(outsider));
        db.query(admin, "select kick_member(?, ?)", room, id(member));
        assertEquals(null, roleOf(room, member));
    }

    @Test
    void aBannedUserCannotRejoinOrBeInvitedUntilUnbanned() throws Exception {
        UUID room = roomWithMember("public");
        db.query(outsider, "select join_room(?)", room);
        db.refused("42501", "only admins and moderators of this room can ban users", outsider,
                "select ban_member(?, ?)", room, id(member));
        db.query(admin, "select set_member_role(?, ?, 'moderator')", room, id(member));
        Map<String, Object> ban = db.one(member, "select * from ban_member(?, ?, 'spam')", room, id(outsider));
        assertEquals("spam", ban.get("reason"));
        assertEquals(id(member), ban.get("banned_by"));
        assertEquals(null, roleOf(room, outsider));
        db.refused("42501", "you are banned from this room", outsider, "select join_room(?)", room);
        db.refused("PT409", "unban them first", admin, "select invite_member(?, ?)", room, id(outsider));
        // The banned user sees their own ban; moderators see the room's bans; plain members do not.
        assertEquals(1, count(outsider, "select count(*) from room_bans where room_id = ?", room));
        assertEquals(1, count(admin, "select count(*) from room_bans where room_id = ?", room));
        db.query(other, "select join_room(?)", room);
        assertEquals(0, count(other, "select count(*) from room_bans where room_id = ?", room));
        db.refused("42501", other, "select unban_member(?, ?)", room, id(outsider));
        db.refused("42501", "moderators cannot ban admins", member, "select ban_member(?, ?)", room, id(admin));
        db.query(member, "select unban_member(?, ?)", room, id(outsider));
        db.refused("PT404", "not banned", member, "select unban_member(?, ?)", room, id(outsider));
        assertEquals("member", db.one(outsider, "select * from join_room(?)", room).get("role"));
    }

    @Test
    void onlyAdminsChangeRolesAndTheLastAdminCannotStepDown() throws Exception {
        UUID room = roomWithMember("private");
        db.refused("42501", "only admins of this room can change roles", member,
                "select set_member_role(?, ?, 'admin')", room, id(member));
        db.refused("22023", "role must be", admin, "select set_member_role(?, ?, 'owner')", room, id(member));
        db.refused("PT404", "not a member", admin, "select set_member_role(?, ?, 'member')", room, id(outsider));
        db.refused("PT409", "last admin", admin, "select set_member_role(?, ?, 'member')", room, id(admin));
        assertEquals("admin", db.one(admin, "select * from set_member_role(?, ?, 'admin')", room, id(member)).get("role"));
        db.query(admin, "select set_member_role(?, ?, 'member')", room, id(admin));
        assertEquals("member", roleOf(room, admin));
    }

    @Test
    void theLastAdminHandsOverBeforeLeavingAndTheLastMemberTakesTheRoomAlong() throws Exception {
        UUID room = roomWithMember("public");
        db.refused("PT409", "last admin", admin, "select leave_room(?)", room);
        db.refused("PT404", "not a member", outsider, "select leave_room(?)", room);
        db.query(admin, "select set_member_role(?, ?, 'admin')", room, id(member));
        db.query(admin, "select leave_room(?)", room);
        assertEquals(null, roleOf(room, admin));
        db.query(member, "select leave_room(?)", room);
        assertEquals(0L, db.adminValue("select count(*) from rooms where id = ?", room));
    }

    @Test
    void directRoomsAreOneIdempotentPairClosedToEveryoneElse() throws Exception {
        Map<String, Object> dm = db.one(admin, "select * from open_direct(?)", id(member));
        UUID room = (UUID) dm.get("id");
        assertEquals("direct", dm.get("type"));
        assertEquals(room, db.one(member, "select * from open_direct(?)", id(admin)).get("id"));
        assertEquals(room, db.one(admin, "select * from open_direct(?)", id(member)).get("id"));
        assertEquals(2, count(member, "select count(*) from room_members where room_id = ?", room));
        // A third party neither sees, joins, nor is brought in.
        assertEquals(0, count(outsider, "select count(*) from rooms where id = ?", room));
        db.refused("PT404", outsider, "select join_room(?)", room);
        db.refused("PT409", "direct rooms have exactly two members", admin, "select invite_member(?, ?)", room, id(outsider));
        db.refused("PT409", admin, "select kick_member(?, ?)", room, id(member));
        db.refused("PT409", admin, "select ban_member(?, ?)", room, id(member));
        db.refused("PT409", "direct rooms cannot be left", admin, "select leave_room(?)", room);
        db.refused("PT409", admin, "select set_member_role(?, ?, 'admin')", room, id(member));
        db.refused("42501", outsider, "insert into messages (room_id, content) values (?, 'let me in')", room);
        db.refused("22023", "another user", admin, "select open_direct(?)", id(admin));
        db.refused("PT404", "user not found", admin, "select open_direct(?)", UUID.randomUUID());
        // Nobody administers a direct room, so nobody renames or deletes it.
        assertEquals(0, db.update(admin, "update rooms set name = 'renamed' where id = ?", room));
        assertEquals(0, db.update(admin, "delete from rooms where id = ?", room));
    }

    @Test
    void onlyAdminsChangeRoomSettingsOrDeleteTheRoom() throws Exception {
        UUID room = roomWithMember("public");
        assertEquals(0, db.update(member, "update rooms set name = 'mine now' where id = ?", room));
        assertEquals(0, db.update(outsider, "update rooms set description = 'x' where id = ?", room));
        assertEquals(1, db.update(admin, "update rooms set name = 'renamed', type = 'private' where id = ?", room));
        assertEquals("renamed", db.adminValue("select name from rooms where id = ?", room));
        db.refused("22023", "direct room", admin, "update rooms set type = 'direct' where id = ?", room);
        db.refused("42501", admin, "update rooms set created_by = ? where id = ?", id(member), room);
        db.refused("42501", admin, "update rooms set direct_key = 'x' where id = ?", room);
        assertEquals(0, db.update(member, "delete from rooms where id = ?", room));
        assertEquals(1, db.update(admin, "delete from rooms where id = ?", room));
        assertEquals(0L, db.adminValue("select count(*) from room_members where room_id = ?", room));
    }

    @Test
    void membershipIsChangedOnlyThroughTheFunctions() throws Exception {
        UUID priv = createRoom(admin, "closed", "private");
        db.refused("42501", outsider, "insert into room_members (room_id, user_id) values (?, ?)", priv, id(outsider));
        db.refused("42501", admin, "update room_members set role = 'member' where room_id = ?", priv);
        db.refused("42501", admin, "delete from room_members where room_id = ?", priv);
        db.refused("42501", outsider, "insert into room_bans (room_id, user_id) values (?, ?)", priv, id(outsider));
    }

    @Test
    void noPolicyReadsItsOwnTableAndEveryHelperIsPinned() throws Exception {
        // Each policy on a chat table names no chat table itself: membership goes through chat.*.
        List<Map<String, Object>> policies = db.admin(
                "select tablename, policyname, coalesce(qual, '') || ' ' || coalesce(with_check, '') as expr "
                        + "from pg_policies where schemaname = 'public'");
        assertFalse(policies.isEmpty());
        for (Map<String, Object> p : policies) {
            String expr = (String) p.get("expr");
            assertFalse(expr.matches("(?s).*\\b(from|join)\\s+(public\\.)?(rooms|room_members|room_bans|messages)\\b.*"),
                    p.get("policyname") + ": " + expr);
        }
        // Every SECURITY DEFINER function of the chat has its search_path pinned to ''.
        List<Map<String, Object>> unpinned = db.admin(
                "select p.oid::regprocedure::text as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
                        + "where n.nspname in ('chat', 'public') and p.prosecdef "
                        + "and not coalesce(p.proconfig, '{}') @> array['search_path=\"\"']");
        assertEquals(List.of(), unpinned);
        // And the views read with the caller's rights.
        assertEquals(2L, db.adminValue("select count(*) from pg_class where relname in ('rooms_with_latest_message', 'unread_counts') "
                + "and reloptions @> array['security_invoker=true']"));
        // Reading members of a room one belongs to works (a recursive policy would fail with 42P17).
        UUID room = roomWithMember("private");
        assertTrue(count(member, "select count(*) from room_members where room_id = ?", room) == 2);
    }
}
