package mechat.bench.abuse;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code bench abuse} counted, per kind of abuser, updated by many worker threads. An episode
 * either completed (the server behaved as the protocol says), was cut short by the end of the run,
 * ended in a violation (the server did something the protocol forbids), or could not start as
 * planned because a pair was matched with a stranger ("mismatched": not the server's fault).
 */
public final class AbuseStats {
  private static final int KEPT_VIOLATIONS = 10;
  private static final int KEPT_MISMATCHES = 3;

  private static final class Counts {
    long episodes;
    long connections;
    long completed;
    long cutShort;
    long mismatched;
    long violations;
  }

  private final Map<AbuseKind, Counts> counts = new EnumMap<>(AbuseKind.class);
  private final List<String> violations = new ArrayList<>();
  private final List<String> mismatches = new ArrayList<>();
  private final List<Double> dropSeconds = new ArrayList<>();
  private long floodLines;
  private double fastestFlood;
  private double seconds;

  AbuseStats() {
    for (AbuseKind k : AbuseKind.values()) counts.put(k, new Counts());
  }

  synchronized void countEpisode(AbuseKind k) {
    counts.get(k).episodes++;
  }

  synchronized void countConnection(AbuseKind k) {
    counts.get(k).connections++;
  }

  synchronized void countCompleted(AbuseKind k) {
    counts.get(k).completed++;
  }

  synchronized void countCutShort(AbuseKind k) {
    counts.get(k).cutShort++;
  }

  synchronized void countMismatch(AbuseKind k, String message) {
    counts.get(k).mismatched++;
    if (mismatches.size() < KEPT_MISMATCHES) mismatches.add(k.label + ": " + message);
  }

  synchronized void countViolation(AbuseKind k, String message) {
    counts.get(k).violations++;
    if (violations.size() < KEPT_VIOLATIONS) violations.add(k.label + ": " + message);
  }

  /** The server dropped a reader that read nothing, {@code seconds} after its partner began. */
  synchronized void slowReaderDropped(double seconds) {
    dropSeconds.add(seconds);
  }

  /** A flood pair ended: the reader got {@code lines}, at most {@code perSecond} a second. */
  synchronized void flooded(long lines, double perSecond) {
    floodLines += lines;
    fastestFlood = Math.max(fastestFlood, perSecond);
  }

  synchronized void finished(double runSeconds) {
    seconds = runSeconds;
  }

  synchronized long episodes(AbuseKind k) {
    return counts.get(k).episodes;
  }

  synchronized long completed(AbuseKind k) {
    return counts.get(k).completed;
  }

  synchronized long violations() {
    return counts.values().stream().mapToLong(c -> c.violations).sum();
  }

  synchronized long connections() {
    return counts.values().stream().mapToLong(c -> c.connections).sum();
  }

  synchronized long totalEpisodes() {
    return counts.values().stream().mapToLong(c -> c.episodes).sum();
  }

  synchronized int slowReadersDropped() {
    return dropSeconds.size();
  }

  synchronized double fastestFlood() {
    return fastestFlood;
  }

  synchronized long floodLines() {
    return floodLines;
  }

  /** Kinds that never completed an episode: the run did not show the server handles them. */
  synchronized List<AbuseKind> unproven() {
    List<AbuseKind> missing = new ArrayList<>();
    for (AbuseKind k : AbuseKind.values()) {
      if (counts.get(k).completed == 0) missing.add(k);
    }
    return missing;
  }

  public synchronized boolean ok() {
    return violations() == 0 && unproven().isEmpty();
  }

  public synchronized void print(PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "abuse: %.1f s, %d episodes, %d connections%n",
        seconds,
        totalEpisodes(),
        connections());
    out.printf(
        "  %-12s %9s %12s %10s %10s %11s %11s%n",
        "kind", "episodes", "connections", "completed", "cut short", "mismatched", "violations");
    for (AbuseKind k : AbuseKind.values()) {
      Counts c = counts.get(k);
      out.printf(
          "  %-12s %9d %12d %10d %10d %11d %11d%n",
          k.label, c.episodes, c.connections, c.completed, c.cutShort, c.mismatched, c.violations);
    }
    if (dropSeconds.isEmpty()) {
      out.println("slow readers dropped by the server: 0");
    } else {
      List<Double> sorted = new ArrayList<>(dropSeconds);
      Collections.sort(sorted);
      out.printf(
          Locale.ROOT,
          "slow readers dropped by the server: %d, after %.1f s median, %.1f s max (counted"
              + " from when the flood began)%n",
          sorted.size(),
          sorted.get(sorted.size() / 2),
          sorted.get(sorted.size() - 1));
    }
    out.printf(
        Locale.ROOT,
        "flood: %d lines relayed intact and in order, fastest %.1f lines/s"
            + " per sender (the server's rate limit)%n",
        floodLines,
        fastestFlood);
    for (String m : mismatches) out.println("mismatch (not the server's fault): " + m);
    for (String v : violations) out.println("violation: " + v);
    for (AbuseKind k : unproven()) {
      out.println(
          "not shown: no "
              + k.label
              + " episode completed"
              + (k == AbuseKind.SLOW_READER
                  ? " (run longer than the time to fill the socket buffers plus the server's"
                      + " slow-reader timeout)"
                  : ""));
    }
  }

  /** The fields of the --json object, appended to {@code j}. */
  public synchronized void json(StringBuilder j) {
    j.append(
        String.format(
            Locale.ROOT,
            "\"abuse_s\":%.3f,\"episodes\":%d,\"connections\":%d",
            seconds,
            totalEpisodes(),
            connections()));
    for (AbuseKind k : AbuseKind.values()) {
      Counts c = counts.get(k);
      String key = k.label.replace('-', '_');
      j.append(
          String.format(
              Locale.ROOT,
              ",\"%s_episodes\":%d,\"%s_completed\":%d,\"%s_cut_short\":%d,\"%s_violations\":%d",
              key,
              c.episodes,
              key,
              c.completed,
              key,
              c.cutShort,
              key,
              c.violations));
    }
    j.append(
        String.format(
            Locale.ROOT,
            ",\"slow_readers_dropped\":%d,\"flood_lines\":%d,\"flood_fastest_per_s\":%.1f,"
                + "\"violations\":%d",
            dropSeconds.size(),
            floodLines,
            fastestFlood,
            violations()));
  }
}
