package dev.parley.storage;

import dev.parley.auth.Authenticator;
import dev.parley.auth.Caller;
import dev.parley.http.ApiError;
import dev.parley.http.Json;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.SQLException;

/**
 * Dispatches /storage/v1 requests (already on a worker thread, blocking) to the bucket and
 * object routes, and renders every refusal in Storage's error shape. Static segments win over a
 * bucket of the same name, as in Supabase's router ("list", "sign", "move", ... are reserved).
 * The caller is resolved only by routes that need one: a signed URL works whatever
 * Authorization header a browser adds.
 */
final class StorageRouter implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(StorageRouter.class);
    /** The caller, once resolved, so a database error is mapped with the caller's role. */
    private static final AttachmentKey<Caller> CALLER = AttachmentKey.create(Caller.class);

    private final Authenticator authenticator;
    private final BucketRoutes buckets;
    private final ObjectRoutes objects;

    StorageRouter(Authenticator authenticator, BucketRoutes buckets, ObjectRoutes objects) {
        this.authenticator = authenticator;
        this.buckets = buckets;
        this.objects = objects;
    }

    @Override
    public void handleRequest(HttpServerExchange ex) {
        try {
            // Undertow decodes the path but leaves an encoded slash as "%2F"; a client that sent one
            // meant a slash, and "..%2Fx" must meet the same name rules as "../x".
            String path = ex.getRelativePath().replace("%2F", "/").replace("%2f", "/");
            route(ex, ex.getRequestMethod(), path);
        } catch (StorageError e) {
            respond(ex, e);
        } catch (ApiError e) {
            respond(ex, StorageError.fromApiError(e));
        } catch (SQLException e) {
            respond(ex, StorageError.fromSql(e, callerRoleQuietly(ex)));
        } catch (IOException e) {
            // the client went away or sent a broken body; answer if we still can
            log.debug("storage request I/O failure: {}", e.toString());
            respond(ex, StorageError.invalidRequest("Could not read the request: " + e.getMessage()));
        } catch (RuntimeException e) {
            log.error("unexpected failure serving {} {}", ex.getRequestMethod(), ex.getRequestPath(), e);
            respond(ex, new StorageError(500, "InternalError", "Internal", "Internal Server Error"));
        }
    }

    private void route(HttpServerExchange ex, HttpString method, String path) throws SQLException, IOException {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.equals("bucket") || p.equals("bucket/")) {
            if (Methods.GET.equals(method)) { buckets.list(ex, caller(ex)); return; }
            if (Methods.POST.equals(method)) { buckets.create(ex, caller(ex)); return; }
        } else if (p.startsWith("bucket/")) {
            String rest = p.substring(7);
            if (rest.endsWith("/empty") && Methods.POST.equals(method)) {
                buckets.empty(ex, caller(ex), rest.substring(0, rest.length() - 6));
                return;
            }
            if (!rest.contains("/")) {
                if (Methods.GET.equals(method)) { buckets.get(ex, caller(ex), rest); return; }
                if (Methods.PUT.equals(method)) { buckets.update(ex, caller(ex), rest); return; }
                if (Methods.DELETE.equals(method)) { buckets.delete(ex, caller(ex), rest); return; }
            }
        } else if (p.startsWith("object/")) {
            if (routeObject(ex, method, p.substring(7))) return;
        }
        throw new StorageError(404, "NotFound", "Not Found", "Route " + method + ":" + ex.getRequestPath() + " not found");
    }

    private boolean routeObject(HttpServerExchange ex, HttpString method, String p) throws SQLException, IOException {
        boolean get = Methods.GET.equals(method);
        boolean head = Methods.HEAD.equals(method);
        boolean post = Methods.POST.equals(method);
        if (post && p.equals("move")) { objects.move(ex, caller(ex)); return true; }
        if (post && p.equals("copy")) { objects.copy(ex, caller(ex)); return true; }
        if (post && p.startsWith("list/")) { objects.list(ex, caller(ex), p.substring(5)); return true; }
        if (post && p.startsWith("list-v2/")) { objects.listV2(ex, caller(ex), p.substring(8)); return true; }
        if (p.startsWith("upload/sign/")) {
            Path o = Path.of(p.substring(12));
            if (o == null) return false;
            if (post) { objects.signUpload(ex, caller(ex), o.bucket, o.name); return true; }
            if (Methods.PUT.equals(method)) { objects.uploadSigned(ex, o.bucket, o.name); return true; }
            return false;
        }
        if (p.startsWith("sign/")) {
            String rest = p.substring(5);
            if (post && !rest.contains("/")) { objects.signMany(ex, caller(ex), rest); return true; }
            Path o = Path.of(rest);
            if (o == null) return false;
            if (post) { objects.sign(ex, caller(ex), o.bucket, o.name); return true; }
            if (get || head) { objects.downloadSigned(ex, o.bucket, o.name, head); return true; }
            return false;
        }
        if (get && p.startsWith("info/")) {
            String rest = p.substring(5);
            ObjectRoutes.Access access = ObjectRoutes.Access.CALLER;
            if (rest.startsWith("public/")) {
                access = ObjectRoutes.Access.PUBLIC;
                rest = rest.substring(7);
            } else if (rest.startsWith("authenticated/")) {
                rest = rest.substring(14);
            }
            Path o = Path.of(rest);
            if (o == null) return false;
            objects.info(ex, access == ObjectRoutes.Access.PUBLIC ? Caller.anonymous() : caller(ex), access, o.bucket, o.name);
            return true;
        }
        if ((get || head) && p.startsWith("public/")) {
            Path o = Path.of(p.substring(7));
            if (o == null) return false;
            // public objects need no identity: a stale token sent along by a browser must not break them
            objects.download(ex, Caller.anonymous(), ObjectRoutes.Access.PUBLIC, o.bucket, o.name, head);
            return true;
        }
        if ((get || head) && p.startsWith("authenticated/")) {
            Path o = Path.of(p.substring(14));
            if (o == null) return false;
            objects.download(ex, caller(ex), ObjectRoutes.Access.CALLER, o.bucket, o.name, head);
            return true;
        }
        if (Methods.DELETE.equals(method) && !p.contains("/") && !p.isEmpty()) {
            objects.removeMany(ex, caller(ex), p);
            return true;
        }
        Path o = Path.of(p);
        if (o == null) return false;
        if (get || head) { objects.download(ex, caller(ex), ObjectRoutes.Access.CALLER, o.bucket, o.name, head); return true; }
        if (post) { objects.upload(ex, caller(ex), o.bucket, o.name, false); return true; }
        if (Methods.PUT.equals(method)) { objects.upload(ex, caller(ex), o.bucket, o.name, true); return true; }
        if (Methods.DELETE.equals(method)) { objects.removeOne(ex, caller(ex), o.bucket, o.name); return true; }
        return false;
    }

    /** "{bucket}/{name}" split at the first slash; the name keeps its own slashes. */
    private record Path(String bucket, String name) {
        static Path of(String s) {
            int slash = s.indexOf('/');
            if (slash <= 0) return null;
            return new Path(s.substring(0, slash), s.substring(slash + 1));
        }
    }

    private Caller caller(HttpServerExchange ex) {
        Caller c = authenticator.authenticate(ex);
        ex.putAttachment(CALLER, c);
        return c;
    }

    private static String callerRoleQuietly(HttpServerExchange ex) {
        Caller c = ex.getAttachment(CALLER);
        return c == null ? Caller.ANON : c.role();
    }

    private static void respond(HttpServerExchange ex, StorageError e) {
        if (ex.isResponseStarted()) {
            ex.endExchange();
            return;
        }
        ex.getResponseHeaders().remove(Headers.CONTENT_LENGTH);
        if (e.retryAfterSeconds() > 0) ex.getResponseHeaders().put(Headers.RETRY_AFTER, e.retryAfterSeconds());
        Json.send(ex, e.status(), e.body());
    }
}
