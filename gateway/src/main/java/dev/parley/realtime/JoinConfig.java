package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A phx_join payload as realtime-js sends it (docs/realtime-join.schema.json):
 * {@code {config: {broadcast: {self, ack, replay}, presence: {key, enabled}, postgres_changes: [...],
 * private, resume: {position}}, access_token}}. Every member is optional; a member of the wrong
 * type is refused with a message naming it, so a client bug is not silently ignored.
 */
record JoinConfig(
        boolean self,
        boolean ack,
        String presenceKey,
        boolean presenceEnabled,
        boolean isPrivate,
        List<ChangeSpec> changes,
        Long resumeAfter,
        Long replaySinceMillis,
        int replayLimit,
        String accessToken) {

    static JoinConfig parse(JsonNode payload) throws InvalidJoin {
        if (payload != null && !payload.isNull() && !payload.isObject()) throw new InvalidJoin("the join payload must be an object");
        JsonNode config = payload == null ? null : payload.get("config");
        if (config != null && !config.isNull() && !config.isObject()) throw new InvalidJoin("config must be an object");
        JsonNode broadcast = member(config, "broadcast", "config.broadcast");
        JsonNode presence = member(config, "presence", "config.presence");
        boolean self = bool(broadcast, "self", "config.broadcast.self");
        boolean ack = bool(broadcast, "ack", "config.broadcast.ack");
        Long replaySince = null;
        int replayLimit = 25;
        JsonNode replay = member(broadcast, "replay", "config.broadcast.replay");
        if (replay != null) {
            JsonNode since = replay.get("since");
            if (since == null || !since.canConvertToLong()) throw new InvalidJoin("config.broadcast.replay.since must be a number (milliseconds since the epoch)");
            replaySince = since.asLong();
            JsonNode limit = replay.get("limit");
            if (limit != null && !limit.isNull()) {
                if (!limit.canConvertToInt() || limit.asInt() < 1 || limit.asInt() > 25) {
                    throw new InvalidJoin("config.broadcast.replay.limit must be a number from 1 to 25");
                }
                replayLimit = limit.asInt();
            }
        }
        String key = text(presence, "key", "config.presence.key");
        boolean presenceEnabled = bool(presence, "enabled", "config.presence.enabled");
        boolean isPrivate = bool(config, "private", "config.private");
        List<ChangeSpec> changes = new ArrayList<>();
        JsonNode pc = config == null ? null : config.get("postgres_changes");
        if (pc != null && !pc.isNull()) {
            if (!pc.isArray()) throw new InvalidJoin("config.postgres_changes must be an array");
            for (int i = 0; i < pc.size(); i++) changes.add(ChangeSpec.parse(pc.get(i), i));
        }
        Long resume = null;
        JsonNode resumeNode = member(config, "resume", "config.resume");
        if (resumeNode != null) {
            JsonNode p = resumeNode.get("position");
            String s = p == null || p.isNull() ? null : p.asText();
            if (s == null || !s.matches("[0-9]{1,19}")) throw new InvalidJoin("config.resume.position must be a position string such as \"42\"");
            resume = Long.parseLong(s);
        }
        JsonNode token = payload == null ? null : payload.get("access_token");
        String accessToken = null;
        if (token != null && !token.isNull()) {
            if (!token.isTextual()) throw new InvalidJoin("access_token must be a string");
            accessToken = token.asText().isBlank() ? null : token.asText().trim();
        }
        return new JoinConfig(self, ack, key == null ? "" : key, presenceEnabled, isPrivate, List.copyOf(changes),
                resume, replaySince, replayLimit, accessToken);
    }

    private static JsonNode member(JsonNode parent, String name, String path) throws InvalidJoin {
        if (parent == null || parent.isNull()) return null;
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.isObject()) throw new InvalidJoin(path + " must be an object");
        return n;
    }

    private static boolean bool(JsonNode parent, String name, String path) throws InvalidJoin {
        if (parent == null) return false;
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) return false;
        if (n.isBoolean()) return n.asBoolean();
        if (n.isTextual() && (n.asText().equals("true") || n.asText().equals("false"))) return n.asText().equals("true");
        throw new InvalidJoin(path + " must be true or false");
    }

    private static String text(JsonNode parent, String name, String path) throws InvalidJoin {
        if (parent == null) return null;
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw new InvalidJoin(path + " must be a string");
        return n.asText();
    }

    /** A join refused for its payload; the reason goes to the client as is. */
    static final class InvalidJoin extends Exception {
        InvalidJoin(String message) {
            super(message, null, false, false);
        }
    }
}
