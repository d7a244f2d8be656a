package dev.parley.storage;

import dev.parley.GatewayContext;
import dev.parley.http.Blocking;
import io.undertow.server.HttpHandler;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Supabase-compatible file storage at /storage/v1 (docs/storage.md). Builds the area from the
 * gateway's context: settings, the local object store under the data directory, the garbage
 * collector of replaced bytes, and the routes, all on worker threads (uploads and downloads
 * block on streams).
 */
public final class Storage {
    private Storage() {
    }

    public static HttpHandler handler(GatewayContext ctx) {
        StorageSettings settings = StorageSettings.from(ctx.config());
        ObjectStore store;
        try {
            store = new LocalObjectStore(settings.root());
        } catch (IOException e) {
            throw new UncheckedIOException("storage directory " + settings.root() + " is not usable: " + e.getMessage(), e);
        }
        var admin = ctx.database().adminPool();
        Garbage garbage = new Garbage(admin, store);
        garbage.startPeriodicSweeps();
        ctx.onShutdown(garbage);
        BucketLookup lookup = new BucketLookup(admin);
        Uploads uploads = new Uploads(ctx.transactions(), lookup, store, garbage, settings, ctx.clock());
        ObjectRoutes objects = new ObjectRoutes(ctx.transactions(), admin, lookup, store, uploads, new Downloads(store),
                new SignedUrls(ctx.jwt()), garbage, settings, ctx.clock());
        BucketRoutes buckets = new BucketRoutes(ctx.transactions(), settings, garbage);
        return new Blocking(new StorageRouter(ctx.authenticator(), buckets, objects));
    }
}
