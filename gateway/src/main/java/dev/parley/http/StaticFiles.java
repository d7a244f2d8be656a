package dev.parley.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;

/**
 * Files packaged into the jar: the SDK's ES modules at /sdk/ and the chat app at /. They are
 * copied from sdk-js/ at build time (gateway/pom.xml), so what is served is what was tested.
 */
public final class StaticFiles {
    private StaticFiles() {
    }

    /** Serves classpath folder {@code static/<folder>}; {@code index.html} for a directory. */
    public static HttpHandler fromClasspath(String folder) {
        ClassPathResourceManager files = new ClassPathResourceManager(StaticFiles.class.getClassLoader(), "static/" + folder);
        return new ResourceHandler(files)
                .setWelcomeFiles("index.html")
                .setDirectoryListingEnabled(false)
                .setCacheTime(60);
    }
}
