package dev.parley.realtime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One Phoenix message, either direction. {@code binary} is set only for a broadcast whose user
 * payload travelled as raw bytes (realtime-js's binary user-broadcast frames); then
 * {@code payload} holds {@code {type, event}} and the bytes stand for its {@code payload}.
 */
record Message(String joinRef, String ref, String topic, String event, JsonNode payload, byte[] binary, boolean binaryFramed) {

    static Message of(String joinRef, String ref, String topic, String event, JsonNode payload) {
        return new Message(joinRef, ref, topic, event, payload, null, false);
    }
}
