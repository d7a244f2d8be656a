package dev.parley.chat;

import dev.parley.auth.Caller;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.parley.chat.ChatDb.anon;
import static dev.parley.chat.ChatDb.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Messages, threads, reactions, read receipts, unread counts, history pages and search, as an
 * admin, a moderator, a member, an outsider and anon.
 */
@Timeout(60)
class ChatMessagesTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final ChatDb db = new ChatDb(gw);
    static Caller admin;
    static Caller moderator;
    static Caller member;
    static Caller outsider;

    @BeforeAll
    static void start() {
        admin = db.newUser("ada@msgs.example.com");
        moderator = db.newUser("mona@msgs.example.com");
        member = db.newUser("max@msgs.example.com");
        outsider = db.newUser("olga@msgs.example.com");
    }

    /** A room of admin's with moderator (as moderator) and member in it. */
    UUID room(String type) throws Exception {
        UUID room = db.roomWith(admin, type, moderator, member);
        db.query(admin, "select set_member_role(?, ?, 'moderator')", room, id(moderator));
        return room;
    }

    UUID post(Caller c, UUID room, String content) throws Exception {
        return (UUID) db.value(c, "insert into messages (room_id, content) values (?, ?) returning id", room, content);
    }

    UUID reply(Caller c, UUID room, UUID parent, String content) throws Exception {
        return (UUID) db.value(c, "insert into messages (room_id, content, parent_id) values (?, ?, ?) returning id",
                room, content, parent);
    }

    Map<String, Object> message(UUID id) throws Exception {
        return db.admin("select * from messages where id = ?", id).get(0);
    }

    long count(Caller c, String sql, Object... params) throws Exception {
        return ((Number) db.value(c, sql, params)).longValue();
    }

    @Test
    void membersReadAndPostAsThemselvesOnly() throws Exception {
        UUID room = room("private");
        UUID m = post(member, room, "hello");
        assertEquals(id(member), message(m).get("user_id"));
        assertEquals(1, count(admin, "select count(*) from messages where room_id = ?", room));
        // An outsider reads nothing of a private room and cannot post into it.
        assertEquals(0, count(outsider, "select count(*) from messages where room_id = ?", room));
        db.refused("42501", "row-level security", outsider, "insert into messages (room_id, content) values (?, 'hi')", room);
        // Nobody posts in someone else's name, or a system message, or sets their own timestamps.
        db.refused("42501", "row-level security", member,
                "insert into messages (room_id, user_id, content) values (?, ?, 'as admin')", room, id(admin));
        db.refused("42501", "row-level security", member,
                "insert into messages (room_id, content, type) values (?, 'system says', 'system')", room);
        db.refused("42501", "permission denied", member,
                "insert into messages (room_id, content, created_at) values (?, 'from the past', now() - interval '1 year')", room);
        db.refused("42501", "permission denied", anon(), "select * from messages");
        db.refused("42501", "permission denied", anon(), "insert into messages (room_id, content) values (?, 'x')", room);
        // Public rooms' messages are for members too.
        UUID pub = room("public");
        post(admin, pub, "members only");
        assertEquals(0, count(outsider, "select count(*) from messages where room_id = ?", pub));
    }

    @Test
    void authorsEditTheirOwnMessagesAndTheEditIsMarked() throws Exception {
        UUID room = room("public");
        UUID m = post(member, room, "helo");
        assertEquals(false, message(m).get("edited"));
        // The original app sends {content, edited: true}; the trigger decides edited either way.
        assertEquals(1, db.update(member, "update messages set content = 'hello', edited = false where id = ?", m));
        Map<String, Object> row = message(m);
        assertEquals("hello", row.get("content"));
        assertEquals(true, row.get("edited"));
        assertNotNull(row.get("edited_at"));
        // Nobody else edits it, admins included; nobody moves it or changes its author.
        assertEquals(0, db.update(admin, "update messages set content = 'hijacked' where id = ?", m));
        assertEquals(0, db.update(outsider, "update messages set content = 'hijacked' where id = ?", m));
        db.refused("42501", "permission denied", member, "update messages set user_id = ? where id = ?", id(admin), m);
        db.refused("42501", "permission denied", member, "update messages set room_id = ? where id = ?", room("public"), m);
        db.refused("42501", "permission denied", member, "update messages set deleted_at = now() where id = ?", m);
        assertEquals("hello", message(m).get("content"));
    }

    @Test
    void deletionIsSoftByTheAuthorOrAModeratorNeverByAnotherMember() throws Exception {
        UUID room = room("public");
        UUID mine = post(member, room, "my secret");
        UUID admins = post(admin, room, "admin's words");
        db.query(moderator, "insert into message_reactions (message_id, emoji) values (?, '+1')", mine);
        // A member deleting another's message: no row qualifies, nothing changes.
        assertEquals(0, db.update(member, "delete from messages where id = ?", admins));
        assertNull(message(admins).get("deleted_at"));
        assertEquals(0, db.update(outsider, "delete from messages where id = ?", mine));
        // The author deletes: the row stays as a blank tombstone, its reactions go.
        db.update(member, "delete from messages where id = ?", mine);
        Map<String, Object> row = message(mine);
        assertNotNull(row.get("deleted_at"));
        assertEquals(id(member), row.get("deleted_by"));
        assertEquals("", row.get("content"));
        assertEquals(0L, db.adminValue("select count(*) from message_reactions where message_id = ?", mine));
        assertEquals(1, count(admin, "select count(*) from messages where id = ? and deleted_at is not null", mine));
        // A deleted message is not edited again.
        assertEquals(0, db.update(member, "update messages set content = 'back' where id = ?", mine));
        // A moderator deletes anyone's, an admin's included.
        db.update(moderator, "delete from messages where id = ?", admins);
        assertEquals(id(moderator), message(admins).get("deleted_by"));
        assertEquals("", message(admins).get("content"));
    }

    @Test
    void repliesStayInTheirRoomAndThreadsAreOneLevelDeep() throws Exception {
        UUID room = room("public");
        UUID elsewhere = room("public");
        UUID root = post(admin, room, "question?");
        UUID r1 = reply(member, room, root, "answer one");
        reply(moderator, room, root, "answer two");
        assertEquals(List.of("answer one", "answer two"), contents(db.query(member,
                "select content from messages where parent_id = ? order by created_at, id", root)));
        db.refused("22023", "not in this room", member,
                "insert into messages (room_id, content, parent_id) values (?, 'x', ?)", elsewhere, root);
        db.refused("22023", "one level deep", member,
                "insert into messages (room_id, content, parent_id) values (?, 'x', ?)", room, r1);
        // An outsider is refused by RLS before learning anything about the parent.
        db.refused("42501", "row-level security", outsider,
                "insert into messages (room_id, content, parent_id) values (?, 'x', ?)", room, root);
    }

    @Test
    void membersReactOnceEachAndRemoveOnlyTheirOwnReactions() throws Exception {
        UUID room = room("private");
        UUID m = post(admin, room, "react to me");
        db.query(member, "insert into message_reactions (message_id, emoji) values (?, '🎉')", m);
        db.query(moderator, "insert into message_reactions (message_id, emoji) values (?, '🎉')", m);
        assertEquals(room, db.adminValue("select distinct room_id from message_reactions where message_id = ?", m));
        db.refused("23505", member, "insert into message_reactions (message_id, emoji) values (?, '🎉')", m);
        db.refused("42501", "row-level security", outsider, "insert into message_reactions (message_id, emoji) values (?, '👎')", m);
        db.refused("42501", "row-level security", member,
                "insert into message_reactions (message_id, user_id, emoji) values (?, ?, '👎')", m, id(admin));
        db.refused("PT404", "message not found", member,
                "insert into message_reactions (message_id, emoji) values (?, 'x')", UUID.randomUUID());
        assertEquals(2, count(admin, "select count(*) from message_reactions where message_id = ?", m));
        assertEquals(0, count(outsider, "select count(*) from message_reactions where message_id = ?", m));
        assertEquals(0, db.update(member, "delete from message_reactions where message_id = ? and user_id = ?", m, id(moderator)));
        assertEquals(1, db.update(member, "delete from message_reactions where message_id = ? and user_id = ?", m, id(member)));
        db.update(admin, "delete from messages where id = ?", m);
        db.refused("22023", "deleted message", member, "insert into message_reactions (message_id, emoji) values (?, '🎉')", m);
    }

    @Test
    void markReadMovesTheWatermarkForwardAndUnreadCountsFollow() throws Exception {
        UUID room = room("public");
        UUID first = post(admin, room, "one");
        post(admin, room, "two");
        UUID third = post(admin, room, "three");
        post(member, room, "mine do not count");
        assertEquals(3L, unread(member, room));
        Map<String, Object> rr = db.one(member, "select * from mark_read(?, ?)", room, first);
        assertEquals(first, rr.get("last_read_message_id"));
        assertEquals(2L, unread(member, room));
        db.query(member, "select mark_read(?)", room);
        assertEquals(0L, unread(member, room));
        // Never backwards.
        Map<String, Object> back = db.one(member, "select * from mark_read(?, ?)", room, first);
        assertTrue(!first.equals(back.get("last_read_message_id")));
        post(admin, room, "four");
        assertEquals(1L, unread(member, room));
        // Deleted messages are not unread.
        UUID five = post(admin, room, "five");
        db.update(admin, "delete from messages where id = ?", five);
        assertEquals(1L, unread(member, room));
        // Receipts are the room's: members see each other's, outsiders nothing.
        assertEquals(1, count(admin, "select count(*) from read_receipts where room_id = ?", room));
        assertEquals(0, count(outsider, "select count(*) from read_receipts where room_id = ?", room));
        // unread_counts shows the caller's own rows only.
        assertEquals(List.of(id(member)), db.query(member, "select user_id from unread_counts").stream()
                .map(r -> r.get("user_id")).distinct().toList());
        // The count's SECURITY DEFINER helper answers for the caller's own rooms only.
        assertEquals(1L, db.value(member, "select chat.my_unread_count(?)", room));
        assertNull(db.value(outsider, "select chat.my_unread_count(?)", room));
        db.refused("PT404", "room not found", outsider, "select mark_read(?)", room);
        db.refused("PT404", "message not found in this room", member, "select mark_read(?, ?)", room, UUID.randomUUID());
        db.refused("PT404", "message not found in this room", member, "select mark_read(?, ?)", room("public"), third);
        db.refused("42501", member, "insert into read_receipts (room_id, user_id) values (?, ?)", room, id(member));
    }

    long unread(Caller c, UUID room) throws Exception {
        return (Long) db.value(c, "select unread_count from unread_counts where room_id = ?", room);
    }

    @Test
    void theLatestMessageViewShowsNothingOfRoomsTheCallerCannotRead() throws Exception {
        UUID pub = room("public");
        UUID priv = room("private");
        post(member, pub, "latest public");
        post(member, priv, "latest private");
        Map<String, Object> mine = db.one(member, "select * from rooms_with_latest_message where id = ?", pub);
        assertEquals("latest public", mine.get("latest_message"));
        assertEquals("max", mine.get("latest_message_author"));
        Map<String, Object> theirs = db.one(outsider, "select * from rooms_with_latest_message where id = ?", pub);
        assertNull(theirs.get("latest_message"));
        assertEquals(0, count(outsider, "select count(*) from rooms_with_latest_message where id = ?", priv));
    }

    @Test
    void historyPagesByKeysetCoverEveryMessageOnceInOrder() throws Exception {
        UUID room = room("public");
        db.admin("insert into messages (room_id, user_id, content, created_at) "
                + "select ?, ?, 'm' || g, timestamptz '2026-01-01' + (g / 3) * interval '1 second' "
                + "from generate_series(1, 120) g", room, id(admin));
        // Timestamps repeat (three messages per second): the id breaks ties.
        List<String> seen = new ArrayList<>();
        String beforeAt = null;
        UUID beforeId = null;
        for (int page = 0; page < 5; page++) {
            List<Map<String, Object>> rows = beforeAt == null
                    ? db.query(member, "select id, content, created_at::text as at from messages where room_id = ? "
                    + "order by created_at desc, id desc limit 50", room)
                    : db.query(member, "select id, content, created_at::text as at from messages where room_id = ? "
                    + "and (created_at, id) < (?::timestamptz, ?) order by created_at desc, id desc limit 50",
                    room, beforeAt, beforeId);
            if (rows.isEmpty()) break;
            assertTrue(rows.size() == 50 || page == 2, "page " + page + " has " + rows.size());
            for (Map<String, Object> r : rows) seen.add((String) r.get("content"));
            Map<String, Object> last = rows.get(rows.size() - 1);
            beforeAt = (String) last.get("at");
            beforeId = (UUID) last.get("id");
        }
        assertEquals(contents(db.admin("select content from messages where room_id = ? order by created_at desc, id desc", room)), seen);
        assertEquals(120, seen.stream().distinct().count());
        assertEquals(List.of(), db.query(outsider, "select id from messages where room_id = ? limit 1", room("private")));
    }

    @Test
    void searchRanksHighlightsAndNeverReachesRoomsTheCallerIsNotIn() throws Exception {
        UUID room = room("public");
        UUID priv = (UUID) db.value(outsider, "select id from create_room('hidden', null, 'private')");
        post(admin, room, "the deploy pipeline is green");
        post(member, room, "deploy deploy deploy: <b>bold</b> & done");
        post(member, room, "unrelated chatter");
        post(outsider, priv, "secret deploy plans");
        List<Map<String, Object>> hits = db.query(member, "select * from search_messages('deploy')");
        assertEquals(2, hits.size(), hits.toString());
        assertTrue((Float) hits.get(0).get("rank") >= (Float) hits.get(1).get("rank"));
        assertTrue(((String) hits.get(0).get("content")).startsWith("deploy deploy"));
        String snippet = (String) hits.get(0).get("snippet");
        assertTrue(snippet.contains("<mark>deploy</mark>"), snippet);
        assertTrue(snippet.contains("&lt;b&gt;bold&lt;/b&gt;") && !snippet.contains("<b>"), snippet);
        // Stemming: "deploying" finds "deploy"; one room only with room_id.
        assertEquals(2, db.query(member, "select id from search_messages('deploying', ?)", room).size());
        assertEquals(1, db.query(outsider, "select id from search_messages('deploy')").size());
        assertEquals(1, db.query(member, "select id from search_messages('deploy', null, 1)").size());
        assertEquals(List.of(), db.query(member, "select id from search_messages('the and of')"));
        db.refused("PT404", "room not found", member, "select * from search_messages('deploy', ?)", priv);
        db.refused("22023", member, "select * from search_messages(?)", "x".repeat(501));
        db.refused("22023", member, "select * from search_messages('deploy', null, 0)");
        db.refused("42501", anon(), "select * from search_messages('deploy')");
    }

    @Test
    void mentionsRepliesAndDirectMessagesNotifyTheRightPeopleOnce() throws Exception {
        UUID room = room("public");
        UUID root = post(member, room, "who knows about invoices?");
        // A mention of a member (any case), of oneself, of a non-member and of nobody.
        UUID m = reply(admin, room, root, "@MAX and @mona please look; @ada @olga @nobody, mail max@example.com");
        assertEquals(List.of("mention"), notifications(member, m));     // mentioned and replied-to: one notification
        assertEquals(List.of("mention"), notifications(moderator, m));
        assertEquals(List.of(), notifications(admin, m));              // not for oneself
        assertEquals(List.of(), notifications(outsider, m));           // not a member
        UUID plain = reply(moderator, room, root, "a reply without mentions");
        assertEquals(List.of("reply"), notifications(member, plain));
        // An edit that adds a mention notifies the newly mentioned member only.
        UUID edited = post(admin, room, "hello");
        db.update(admin, "update messages set content = 'hello @max' where id = ?", edited);
        db.update(admin, "update messages set content = 'hello @max!' where id = ?", edited);
        assertEquals(List.of("mention"), notifications(member, edited));
        // Direct messages notify the other member.
        UUID dm = (UUID) db.value(admin, "select id from open_direct(?)", id(outsider));
        UUID d = post(admin, dm, "psst");
        assertEquals(List.of("direct_message"), notifications(outsider, d));
        assertEquals(List.of(), notifications(admin, d));
        // Each user reads and marks only their own; mark_read marks the room's as read.
        assertEquals(0, count(admin, "select count(*) from notifications where user_id = ?", id(outsider)));
        assertEquals(0, db.update(admin, "update notifications set read_at = now() where user_id = ?", id(outsider)));
        db.refused("42501", "permission denied", outsider, "update notifications set type = 'mention' where message_id = ?", d);
        db.refused("42501", "permission denied", outsider, "insert into notifications (user_id, type, room_id, message_id) values (?, 'mention', ?, ?)", id(outsider), dm, d);
        assertEquals(1, db.update(outsider, "update notifications set read_at = now() where message_id = ?", d));
        db.query(member, "select mark_read(?)", room);
        assertEquals(0, count(member, "select count(*) from notifications where room_id = ? and read_at is null", room));
        // A deleted message takes its notifications along.
        db.update(admin, "delete from messages where id = ?", m);
        assertEquals(List.of(), notifications(member, m));
    }

    List<String> notifications(Caller c, UUID message) throws Exception {
        return db.query(c, "select type from notifications where message_id = ? order by type", message).stream()
                .map(r -> (String) r.get("type")).toList();
    }

    static List<String> contents(List<Map<String, Object>> rows) {
        return rows.stream().map(r -> (String) r.get("content")).toList();
    }
}
