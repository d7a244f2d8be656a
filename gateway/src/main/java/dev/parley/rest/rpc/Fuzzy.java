package dev.parley.rest.rpc;

import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The "Perhaps you meant" search of PostgREST's hints: candidates sharing a 2- or 3-character
 * gram with the value (padded with '-'), scored by Levenshtein distance over the longer length,
 * the best one kept if it reaches a minimum score.
 */
final class Fuzzy {
    private Fuzzy() {
    }

    /** The closest candidate with a score of at least {@code minScore}, or null. */
    static String closest(String value, Collection<String> candidates, double minScore) {
        String v = normalize(value);
        Set<String> grams = grams(v);
        String best = null;
        double bestScore = -1;
        for (String candidate : candidates) {
            String c = normalize(candidate);
            Set<String> shared = grams(c);
            shared.retainAll(grams);
            if (shared.isEmpty()) continue;
            int longest = Math.max(v.length(), c.length());
            double score = longest == 0 ? 1 : 1.0 - (double) levenshtein(v, c) / longest;
            if (score > bestScore) {
                bestScore = score;
                best = candidate;
            }
        }
        return bestScore >= minScore ? best : null;
    }

    private static String normalize(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static Set<String> grams(String s) {
        String padded = "-" + s + "-";
        Set<String> out = new HashSet<>();
        for (int size = 2; size <= 3; size++) {
            for (int i = 0; i + size <= padded.length(); i++) out.add(padded.substring(i, i + size));
        }
        return out;
    }

    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
