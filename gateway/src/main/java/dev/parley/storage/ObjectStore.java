package dev.parley.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where the bytes of objects live, addressed by an opaque key (one per object version, never
 * reused). The database row decides which key is an object's current content; the store knows
 * nothing of buckets, names or access. An S3-compatible backend can implement this: a pending
 * write is a multipart upload, {@link PendingWrite#commit} completes it under the key.
 *
 * <p>Contract: a key becomes readable only by {@link PendingWrite#commit}, whole or not at all;
 * a pending write that is closed without commit leaves nothing behind.
 */
interface ObjectStore {

    /** Starts writing new content; the caller streams into {@link PendingWrite#stream()}. */
    PendingWrite begin() throws IOException;

    /**
     * Reads {@code length} bytes of {@code key} from {@code offset}.
     *
     * @throws java.nio.file.NoSuchFileException when the key does not exist (for example, collected
     *         after a concurrent overwrite): callers look the row up again.
     */
    InputStream open(String key, long offset, long length) throws IOException;

    /** Copies {@code from} to the new key {@code to} (cheaply where the backend can). */
    void copy(String from, String to) throws IOException;

    /** Deletes {@code key}; deleting a missing key is not an error. */
    void delete(String key) throws IOException;

    interface PendingWrite extends Closeable {
        OutputStream stream();

        /** Makes the written bytes readable under {@code key}, atomically. */
        void commit(String key) throws IOException;

        /** Discards the bytes unless committed. Never throws. */
        @Override
        void close();
    }
}
