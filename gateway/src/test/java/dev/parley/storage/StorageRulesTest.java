package dev.parley.storage;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules behind names, ranges, sizes and MIME types, each alone. */
class StorageRulesTest {

    @Test
    void objectNamesRejectTraversalControlCharactersBadUtf8AndOverlongNames() {
        for (String ok : List.of("a.txt", "a/b/c.png", "été/café.txt", "with space/x (1).txt", "..a/b..", "emoji-\uD83D\uDE00.txt",
                "x".repeat(1024))) {
            assertTrue(Names.isValidObjectName(ok), ok);
        }
        for (String bad : List.of("", "/a.txt", "a/", "a//b", "../a", "a/../b", "a/..", ".", "a/./b", "a\u0000b", "a\nb", "a\u007fb",
                "a\uFFFDb", "lone-\uD83D", "x".repeat(1025), "é".repeat(513))) {
            assertFalse(Names.isValidObjectName(bad), bad);
        }
    }

    @Test
    void bucketIdsFollowSupabasesCharacterSet() {
        assertEquals("avatars", Names.bucketId("avatars"));
        assertEquals("My Bucket (1)", Names.bucketId("My Bucket (1)"));
        for (String bad : new String[] {"", "a/b", "..", "é", "x".repeat(101), "tab\t"}) {
            assertThrows(StorageError.class, () -> Names.bucketId(bad), bad);
        }
    }

    @Test
    void rangesFollowRfc9110ForOneRange() {
        assertArrayEquals(new long[] {0, 9}, Downloads.parseRange("bytes=0-9", 100));
        assertArrayEquals(new long[] {90, 99}, Downloads.parseRange("bytes=90-", 100));
        assertArrayEquals(new long[] {90, 99}, Downloads.parseRange("bytes=-10", 100));
        assertArrayEquals(new long[] {0, 99}, Downloads.parseRange("bytes=-500", 100));
        assertArrayEquals(new long[] {50, 99}, Downloads.parseRange("bytes=50-1000", 100));
        assertEquals(0, Downloads.parseRange("bytes=100-", 100).length);
        assertEquals(0, Downloads.parseRange("bytes=-0", 100).length);
        assertNull(Downloads.parseRange("bytes=0-1,5-6", 100));
        assertNull(Downloads.parseRange("items=0-1", 100));
        assertNull(Downloads.parseRange("bytes=9-1", 100));
        assertNull(Downloads.parseRange("bytes=a-b", 100));
    }

    @Test
    void sizesAcceptSupabasesNotation() {
        assertEquals(3, Sizes.parse("3B"));
        assertEquals(30 * 1024, Sizes.parse("30KB"));
        assertEquals(20L * 1024 * 1024, Sizes.parse("20 mb"));
        assertEquals(2L * 1024 * 1024 * 1024, Sizes.parse("2GB"));
        assertEquals(512, Sizes.parse("512"));
        assertThrows(StorageError.class, () -> Sizes.parse("lots"));
        assertThrows(StorageError.class, () -> Sizes.parse("-1MB"));
    }

    @Test
    void mimeTypesMatchExactlyOrByWildcardIgnoringParameters() {
        List<String> allowed = List.of("image/png", "text/*");
        UploadReader.checkMime("image/png", allowed);
        UploadReader.checkMime("IMAGE/PNG", allowed);
        UploadReader.checkMime("text/plain;charset=UTF-8", allowed);
        UploadReader.checkMime("anything/at-all", null);
        UploadReader.checkMime("anything/at-all", List.of());
        assertEquals(415, assertThrows(StorageError.class, () -> UploadReader.checkMime("image/jpeg", allowed)).status());
        assertEquals(415, assertThrows(StorageError.class, () -> UploadReader.checkMime("png", allowed)).status());
        assertEquals(415, assertThrows(StorageError.class, () -> UploadReader.checkMime("textual/plain", allowed)).status());
    }
}
