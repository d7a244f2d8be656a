package dev.parley.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of named process trees on this machine (Linux /proc), read at the start and end of
 * the measured window, so a run says how the 2 cores were split between the gateway, Postgres
 * and this load tool. A tree's time is its root's user+system time, the time of the children it
 * has already reaped (Postgres backends that ended), and the live children's own time.
 */
final class CpuMeter {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux
    private final Map<String, Long> roots = new LinkedHashMap<>();
    private final Map<String, long[]> startTicks = new LinkedHashMap<>();
    private long startNanos;

    /** {@code spec}: {@code name:pid,name:pid}; the load tool itself is always measured as "client". */
    CpuMeter(String spec) {
        roots.put("client", ProcessHandle.current().pid());
        if (spec != null && !spec.isBlank()) {
            for (String part : spec.split(",")) {
                String[] nv = part.split(":");
                roots.put(nv[0], Long.parseLong(nv[1]));
            }
        }
    }

    void start() {
        startNanos = System.nanoTime();
        roots.forEach((name, pid) -> startTicks.put(name, treeTicks(pid)));
    }

    /** {@code name=1.23 (user 0.50 sys 0.73)} cores per tree over the window since {@link #start}. */
    String report() {
        double secs = (System.nanoTime() - startNanos) / 1e9;
        StringBuilder sb = new StringBuilder();
        roots.forEach((name, pid) -> {
            long[] now = treeTicks(pid);
            long[] then = startTicks.get(name);
            double user = (now[0] - then[0]) / TICKS_PER_SECOND / secs;
            double sys = (now[1] - then[1]) / TICKS_PER_SECOND / secs;
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%s=%.2f (user %.2f sys %.2f)", name, user + sys, user, sys));
        });
        return sb + " cores busy, of 2";
    }

    /** User and system ticks of a tree. */
    private static long[] treeTicks(long pid) {
        long[] own = stat(pid);
        if (own == null) return new long[2];
        long[] total = {own[0] + own[2], own[1] + own[3]};
        for (ProcessHandle child : ProcessHandle.of(pid).map(p -> p.children().toList()).orElse(java.util.List.of())) {
            long[] c = stat(child.pid());
            if (c != null) {
                total[0] += c[0];
                total[1] += c[1];
            }
        }
        return total;
    }

    /** utime, stime, cutime, cstime of one process, or null when it is gone. */
    private static long[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is field 3 of stat(5), so index = field - 3
            return new long[]{Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
