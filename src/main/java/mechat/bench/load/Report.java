package mechat.bench.load;

import java.io.PrintWriter;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The results of a chat or idle run and how they are printed: a few lines for people, and with
 * --json one JSON object on the last line for scripts. The lines and the JSON keys follow the
 * neutral C loadgen's, so results of the two can be put side by side. Times in the latency lines
 * are microseconds; MB is 10^6 bytes of message text (names, ": " and LF not counted).
 */
public final class Report {
  private Report() {}

  /** What {@code bench chat} measured. {@code lag} is null without --rate. */
  public record Chat(
      int pairs,
      long messagesPerClient,
      int size,
      int window,
      double rate,
      double setupSeconds,
      long sent,
      long received,
      double seconds,
      Histogram latency,
      Histogram lag,
      long lost,
      long reordered,
      long duplicated,
      long corrupted,
      long unexpected,
      boolean timedOut,
      String failure) {

    public boolean ok() {
      return !timedOut
          && failure == null
          && lost == 0
          && reordered == 0
          && duplicated == 0
          && corrupted == 0
          && unexpected == 0;
    }

    double msgsPerSecond() {
      return seconds > 0 ? received / seconds : 0;
    }

    double megabytesPerSecond() {
      return seconds > 0 ? (double) received * size / seconds / 1e6 : 0;
    }
  }

  /** What {@code bench idle} measured. */
  record Idle(
      int conns,
      double setupSeconds,
      double holdSeconds,
      int matched,
      long unexpected,
      String failure) {
    boolean ok() {
      return failure == null && unexpected == 0;
    }
  }

  static void print(PrintWriter out, Chat r, boolean json) {
    out.printf(
        Locale.ROOT,
        "chat: pairs=%d clients=%d messages/client=%d size=%d window=%d rate=%s%n",
        r.pairs(),
        2 * r.pairs(),
        r.messagesPerClient(),
        r.size(),
        r.window(),
        num(r.rate()));
    out.printf(Locale.ROOT, "setup (connect+register+match): %.3f s%n", r.setupSeconds());
    out.printf(
        Locale.ROOT, "sent %d, received %d in %.3f s%n", r.sent(), r.received(), r.seconds());
    out.printf(
        Locale.ROOT,
        "throughput: %.0f msgs/s, %.2f MB/s%n",
        r.msgsPerSecond(),
        r.megabytesPerSecond());
    Histogram h = r.latency();
    out.printf(
        Locale.ROOT,
        "latency us: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  (mean %.1f, %d samples)%n",
        us(h, 50),
        us(h, 90),
        us(h, 99),
        us(h, 99.9),
        max(h),
        mean(h),
        h.getTotalCount());
    if (r.lag() != null) {
      out.printf(
          Locale.ROOT,
          "send lag behind schedule us (included in latency): p50 %.1f  p99 %.1f  max %.1f%n",
          us(r.lag(), 50),
          us(r.lag(), 99),
          max(r.lag()));
    }
    out.printf(
        Locale.ROOT,
        "errors: lost %d, reordered %d, duplicated %d, corrupted %d, unexpected %d%s%n",
        r.lost(),
        r.reordered(),
        r.duplicated(),
        r.corrupted(),
        r.unexpected(),
        r.timedOut() ? ", TIMED OUT" : "");
    if (r.failure() != null) out.println("failure: " + r.failure());
    out.println("result: " + (r.ok() ? "OK" : "FAIL"));
    if (json) {
      Json j = new Json().str("mode", "chat");
      j.num("pairs", r.pairs())
          .num("clients", 2L * r.pairs())
          .num("messages_per_client", r.messagesPerClient())
          .num("size", r.size())
          .num("window", r.window())
          .dec("rate", r.rate(), 1)
          .dec("setup_s", r.setupSeconds(), 6)
          .num("sent", r.sent())
          .num("received", r.received())
          .dec("duration_s", r.seconds(), 6)
          .dec("msgs_per_s", r.msgsPerSecond(), 1)
          .dec("payload_mb_per_s", r.megabytesPerSecond(), 3)
          .dec("lat_p50_us", us(h, 50), 1)
          .dec("lat_p90_us", us(h, 90), 1)
          .dec("lat_p99_us", us(h, 99), 1)
          .dec("lat_p999_us", us(h, 99.9), 1)
          .dec("lat_max_us", max(h), 1)
          .dec("lat_mean_us", mean(h), 1);
      if (r.lag() != null) {
        j.dec("send_lag_p50_us", us(r.lag(), 50), 1)
            .dec("send_lag_p99_us", us(r.lag(), 99), 1)
            .dec("send_lag_max_us", max(r.lag()), 1);
      }
      j.num("lost", r.lost())
          .num("reordered", r.reordered())
          .num("duplicated", r.duplicated())
          .num("corrupted", r.corrupted())
          .num("unexpected", r.unexpected())
          .bool("timed_out", r.timedOut());
      if (r.failure() != null) j.str("error", r.failure());
      out.println(j.bool("ok", r.ok()).end());
    }
    out.flush();
  }

  static void print(PrintWriter out, Idle r, boolean json) {
    out.printf(
        Locale.ROOT,
        "idle: %d connections registered in %.3f s (%.0f conn/s)%n",
        r.conns(),
        r.setupSeconds(),
        r.setupSeconds() > 0 ? r.conns() / r.setupSeconds() : 0);
    out.printf(Locale.ROOT, "held %.1f s; %d of them matched%n", r.holdSeconds(), r.matched());
    out.printf("errors: unexpected %d%n", r.unexpected());
    if (r.failure() != null) out.println("failure: " + r.failure());
    out.println("result: " + (r.ok() ? "OK" : "FAIL"));
    if (json) {
      Json j =
          new Json()
              .str("mode", "idle")
              .num("conns", r.conns())
              .dec("setup_s", r.setupSeconds(), 6)
              .dec("conns_per_s", r.setupSeconds() > 0 ? r.conns() / r.setupSeconds() : 0, 1)
              .dec("hold_s", r.holdSeconds(), 3)
              .num("matched", r.matched())
              .num("unexpected", r.unexpected());
      if (r.failure() != null) j.str("error", r.failure());
      out.println(j.bool("ok", r.ok()).end());
    }
    out.flush();
  }

  /** Setup did not complete: the reason on stderr, and the JSON verdict for scripts. */
  static void setupFailed(
      PrintWriter out,
      PrintWriter err,
      String mode,
      double seconds,
      String reason,
      ClientPool clients,
      boolean json) {
    err.printf(
        Locale.ROOT,
        "bench %s: setup failed after %.3f s: %s (%s)%n",
        mode,
        seconds,
        reason,
        clients.setupStatus());
    err.flush();
    out.println("result: FAIL");
    if (json) {
      out.println(
          new Json()
              .str("mode", mode)
              .bool("ok", false)
              .str("error", "setup: " + reason)
              .dec("setup_s", seconds, 6)
              .num("connected", clients.connected())
              .num("registered", clients.registered())
              .num("matched", clients.matched())
              .end());
    }
    out.flush();
  }

  private static double us(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e3;
  }

  private static double max(Histogram h) {
    return h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1e3;
  }

  private static double mean(Histogram h) {
    return h.getTotalCount() == 0 ? 0 : h.getMean() / 1e3;
  }

  private static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /** A flat JSON object, built in key order. */
  private static final class Json {
    private final StringBuilder sb = new StringBuilder("{");

    private Json key(String k) {
      if (sb.length() > 1) sb.append(',');
      sb.append('"').append(k).append("\":");
      return this;
    }

    Json num(String k, long v) {
      key(k).sb.append(v);
      return this;
    }

    Json dec(String k, double v, int decimals) {
      key(k).sb.append(String.format(Locale.ROOT, "%." + decimals + "f", v));
      return this;
    }

    Json bool(String k, boolean v) {
      key(k).sb.append(v);
      return this;
    }

    Json str(String k, String v) {
      key(k).sb.append('"');
      for (int i = 0; i < v.length(); i++) {
        char ch = v.charAt(i);
        if (ch == '"' || ch == '\\') {
          sb.append('\\').append(ch);
        } else if (ch < 0x20) {
          sb.append(String.format("\\u%04x", (int) ch));
        } else {
          sb.append(ch);
        }
      }
      sb.append('"');
      return this;
    }

    String end() {
      return sb.append('}').toString();
    }
  }
}
