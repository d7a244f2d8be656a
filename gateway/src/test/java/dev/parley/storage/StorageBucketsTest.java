package dev.parley.storage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testing.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;

import static dev.parley.storage.StorageCalls.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bucket management: service_role by default, more when policies on storage.buckets grant it. */
@Timeout(60)
class StorageBucketsTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.start();
    static final StorageCalls s = new StorageCalls(gw);

    @Test
    void serviceRoleCreatesGetsListsUpdatesAndDeletesABucket() {
        var created = s.postJson("/bucket", gw.serviceKey(),
                "{\"name\":\"photos\",\"public\":false,\"file_size_limit\":\"1MB\",\"allowed_mime_types\":[\"image/png\",\"image/*\"]}");
        assertEquals(200, created.statusCode(), created.body());
        assertEquals("photos", json(created).get("name").asText());

        JsonNode bucket = json(s.get("/bucket/photos", gw.serviceKey()));
        assertEquals("photos", bucket.get("id").asText());
        assertEquals("photos", bucket.get("name").asText());
        assertFalse(bucket.get("public").asBoolean());
        assertEquals(1024 * 1024, bucket.get("file_size_limit").asLong());
        assertEquals("image/png", bucket.get("allowed_mime_types").get(0).asText());
        assertTrue(bucket.hasNonNull("created_at"));
        assertTrue(bucket.hasNonNull("updated_at"));

        var updated = s.putJson("/bucket/photos", gw.serviceKey(), "{\"public\":true,\"file_size_limit\":2048,\"allowed_mime_types\":null}");
        assertEquals(200, updated.statusCode(), updated.body());
        assertEquals("Successfully updated", json(updated).get("message").asText());
        bucket = json(s.get("/bucket/photos", gw.serviceKey()));
        assertTrue(bucket.get("public").asBoolean());
        assertEquals(2048, bucket.get("file_size_limit").asLong());
        assertTrue(bucket.get("allowed_mime_types").isNull());

        JsonNode list = json(s.get("/bucket", gw.serviceKey()));
        assertTrue(list.isArray());
        assertTrue(list.findValuesAsText("id").contains("photos"));

        var deleted = s.deleteJson("/bucket/photos", gw.serviceKey(), null);
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertEquals("Successfully deleted", json(deleted).get("message").asText());
        var gone = s.get("/bucket/photos", gw.serviceKey());
        assertEquals(404, gone.statusCode());
        assertEquals("404", json(gone).get("statusCode").asText());
        assertEquals("Bucket not found", json(gone).get("error").asText());
    }

    @Test
    void aDuplicateBucketIsA409Duplicate() {
        s.createBucket("dup", false, null);
        var again = s.postJson("/bucket", gw.serviceKey(), "{\"name\":\"dup\"}");
        assertEquals(409, again.statusCode());
        assertEquals("409", json(again).get("statusCode").asText());
        assertEquals("Duplicate", json(again).get("error").asText());
        assertEquals("The resource already exists", json(again).get("message").asText());
    }

    @Test
    void withoutPoliciesUsersAndAnonCannotManageOrSeeBuckets() {
        s.createBucket("private-b", false, null);
        String user = gw.userToken(gw.createUser("b1@example.com"));
        var create = s.postJson("/bucket", user, "{\"name\":\"mine\"}");
        assertEquals(403, create.statusCode(), create.body());
        assertEquals("Unauthorized", json(create).get("error").asText());
        assertEquals("new row violates row-level security policy", json(create).get("message").asText());
        assertEquals(404, s.get("/bucket/private-b", user).statusCode());
        assertEquals("[]", s.get("/bucket", gw.anonKey()).body());
        assertEquals(404, s.deleteJson("/bucket/private-b", user, null).statusCode());
        assertEquals(200, s.get("/bucket/private-b", gw.serviceKey()).statusCode());
    }

    @Test
    void aPolicyCanLetUsersCreateTheirOwnBuckets() {
        gw.sql("create policy \"users create buckets\" on storage.buckets for insert to authenticated with check (owner = auth.uid());"
                + "create policy \"users see their buckets\" on storage.buckets for select to authenticated using (owner = auth.uid())");
        UUID id = gw.createUser("b2@example.com");
        String user = gw.userToken(id);
        var create = s.postJson("/bucket", user, "{\"name\":\"own-bucket\"}");
        assertEquals(200, create.statusCode(), create.body());
        JsonNode b = json(s.get("/bucket/own-bucket", user));
        assertEquals(id.toString(), b.get("owner").asText());
    }

    @Test
    void aBucketWithObjectsCannotBeDeletedUntilEmptied() {
        s.createBucket("full", false, null);
        assertEquals(200, s.upload("full", "a.txt", gw.serviceKey(), "a").statusCode());
        var refused = s.deleteJson("/bucket/full", gw.serviceKey(), null);
        assertEquals(409, refused.statusCode());
        assertEquals("The bucket you tried to delete is not empty", json(refused).get("message").asText());
        var emptied = s.postJson("/bucket/full/empty", gw.serviceKey(), "");
        assertEquals(200, emptied.statusCode(), emptied.body());
        assertEquals(200, s.deleteJson("/bucket/full", gw.serviceKey(), null).statusCode());
    }

    @Test
    void invalidBucketInputIsA400() {
        assertEquals(400, s.postJson("/bucket", gw.serviceKey(), "{\"name\":\"a/b\"}").statusCode());
        assertEquals(400, s.postJson("/bucket", gw.serviceKey(), "{\"public\":true}").statusCode());
        assertEquals(400, s.postJson("/bucket", gw.serviceKey(), "{\"name\":\"x\",\"file_size_limit\":\"lots\"}").statusCode());
        assertEquals(400, s.postJson("/bucket", gw.serviceKey(), "{\"name\":\"x\",\"allowed_mime_types\":[\"png\"]}").statusCode());
        assertEquals(400, s.postJson("/bucket", gw.serviceKey(), "not json").statusCode());
        s.createBucket("upd", false, null);
        assertEquals(400, s.putJson("/bucket/upd", gw.serviceKey(), "{}").statusCode());
        assertEquals(404, s.putJson("/bucket/nope", gw.serviceKey(), "{\"public\":true}").statusCode());
    }

    @Test
    void aBadTokenIsA401InStorageShape() {
        var r = s.get("/bucket", "not-a-jwt");
        assertEquals(401, r.statusCode());
        assertEquals("401", json(r).get("statusCode").asText());
        assertEquals("InvalidJWT", json(r).get("error").asText());
    }
}
