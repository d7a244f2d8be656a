package dev.parley.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The environment a gateway was started with, and validated readers for it: each throws a
 * {@link ConfigException} whose message names the variable and what it must be.
 */
public record Env(Map<String, String> values) {
    public Env {
        values = Map.copyOf(values);
    }

    public String string(String name, String fallback) {
        String v = values.get(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /** Whether a boolean setting is on: true/false/1/0/yes/no, case-insensitive. */
    public boolean bool(String name, boolean fallback) {
        String v = string(name, null);
        if (v == null) return fallback;
        switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on": return true;
            case "false", "0", "no", "off": return false;
            default: throw new ConfigException(name + " must be true or false, got '" + v + "'");
        }
    }

    public int port(String name, int fallback) {
        return intInRange(name, fallback, 0, 65535);
    }

    public int intInRange(String name, int fallback, int min, int max) {
        return (int) longInRange(name, fallback, min, max);
    }

    public long longInRange(String name, long fallback, long min, long max) {
        String v = string(name, null);
        if (v == null) return fallback;
        long parsed;
        try {
            parsed = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number, got '" + v + "'");
        }
        if (parsed < min || parsed > max) {
            throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + parsed);
        }
        return parsed;
    }

    public List<String> identifierList(String name, String fallback) {
        List<String> out = new ArrayList<>();
        for (String part : string(name, fallback).split(",")) {
            String s = part.trim();
            if (s.isEmpty()) continue;
            if (!s.matches("[A-Za-z_][A-Za-z0-9_$]*")) {
                throw new ConfigException(name + " must be a comma-separated list of schema names, got '" + s + "'");
            }
            out.add(s);
        }
        if (out.isEmpty()) throw new ConfigException(name + " must name at least one schema");
        return List.copyOf(out);
    }
}
