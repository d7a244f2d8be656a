package dev.parley.storage;

import dev.parley.config.Config;
import dev.parley.config.Env;

import java.nio.file.Path;

/**
 * Storage's settings, read once at start from the validated environment (docs/configuration.md).
 *
 * @param root                 where bytes live: PARLEY_STORAGE_DIR, default {@code <PARLEY_DATA_DIR>/storage}
 * @param maxFileSize          PARLEY_STORAGE_MAX_FILE_SIZE: the largest object anyone may upload,
 *                             whatever a bucket allows (default 50 MiB, as Supabase's free tier)
 * @param signedUploadSeconds  how long a signed upload URL stays valid (PARLEY_STORAGE_SIGNED_UPLOAD_EXPIRY, default 2 h)
 */
record StorageSettings(Path root, long maxFileSize, long signedUploadSeconds) {
    static final long DEFAULT_MAX_FILE_SIZE = 50L * 1024 * 1024;
    static final long DEFAULT_SIGNED_UPLOAD_SECONDS = 2 * 3600;

    static StorageSettings from(Config config) {
        Env env = config.env();
        String dir = env.string("PARLEY_STORAGE_DIR", null);
        Path root = dir == null ? config.dataDir().resolve("storage") : Path.of(dir).toAbsolutePath().normalize();
        long max = env.longInRange("PARLEY_STORAGE_MAX_FILE_SIZE", DEFAULT_MAX_FILE_SIZE, 0, Long.MAX_VALUE / 2);
        long upload = env.longInRange("PARLEY_STORAGE_SIGNED_UPLOAD_EXPIRY", DEFAULT_SIGNED_UPLOAD_SECONDS, 1, 7L * 24 * 3600);
        return new StorageSettings(root, max, upload);
    }
}
