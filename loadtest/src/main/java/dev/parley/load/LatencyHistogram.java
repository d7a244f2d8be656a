package dev.parley.load;

import java.util.concurrent.atomic.AtomicLongArray;

/** Latencies in 10-microsecond buckets up to 10 s (the last bucket holds everything slower). */
final class LatencyHistogram {
    private static final int BUCKET_MICROS = 10;
    private final AtomicLongArray buckets = new AtomicLongArray(1_000_000);

    void record(long micros) {
        int i = (int) Math.min(buckets.length() - 1, Math.max(0, micros / BUCKET_MICROS));
        buckets.incrementAndGet(i);
    }

    long count() {
        long n = 0;
        for (int i = 0; i < buckets.length(); i++) n += buckets.get(i);
        return n;
    }

    /** The latency in milliseconds below which {@code fraction} of the samples fall. */
    double percentileMillis(double fraction) {
        long total = count();
        if (total == 0) return Double.NaN;
        long wanted = (long) Math.ceil(total * fraction);
        long seen = 0;
        for (int i = 0; i < buckets.length(); i++) {
            seen += buckets.get(i);
            if (seen >= wanted) return (i + 1) * BUCKET_MICROS / 1000.0;
        }
        return Double.NaN;
    }
}
