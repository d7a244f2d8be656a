package dev.parley.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ObjectStore contract, on local disk. */
class LocalObjectStoreTest {
    @TempDir
    Path root;

    @Test
    void contentBecomesReadableOnlyByCommitAndAnUncommittedWriteLeavesNothing() throws IOException {
        LocalObjectStore store = new LocalObjectStore(root);
        String key = UUID.randomUUID().toString();
        try (ObjectStore.PendingWrite w = store.begin()) {
            w.stream().write("hello world".getBytes(StandardCharsets.UTF_8));
            assertThrows(NoSuchFileException.class, () -> store.open(key, 0, 5));
            w.commit(key);
        }
        assertEquals("world", read(store.open(key, 6, 5)));
        assertEquals("hello", read(store.open(key, 0, 5)));

        try (ObjectStore.PendingWrite abandoned = store.begin()) {
            abandoned.stream().write(new byte[1000]);
        }
        assertEquals(1, files(root.resolve("objects")));
        assertEquals(0, files(root.resolve("tmp")));
    }

    @Test
    void aCopySurvivesTheDeletionOfItsSource() throws IOException {
        LocalObjectStore store = new LocalObjectStore(root);
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        try (ObjectStore.PendingWrite w = store.begin()) {
            w.stream().write("shared".getBytes(StandardCharsets.UTF_8));
            w.commit(a);
        }
        store.copy(a, b);
        store.delete(a);
        store.delete(a);
        assertEquals("shared", read(store.open(b, 0, 6)));
    }

    @Test
    void keysAreVersionsNeverPaths() throws IOException {
        LocalObjectStore store = new LocalObjectStore(root);
        assertThrows(IllegalArgumentException.class, () -> store.open("../../etc/passwd", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> store.delete("a/b"));
    }

    @Test
    void staleTemporaryFilesAreRemovedAtStartButFreshOnesKept() throws IOException {
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Path stale = Files.writeString(tmp.resolve("upload-stale.part"), "x");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(7200)));
        Path fresh = Files.writeString(tmp.resolve("upload-fresh.part"), "y");
        new LocalObjectStore(root);
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh), "another gateway sharing the directory may be writing it");
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static long files(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).count();
        }
    }
}
