package dev.parley.config;

/** A setting that cannot be used; its message is one line that names the variable. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
