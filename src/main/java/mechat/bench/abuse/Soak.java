package mechat.bench.abuse;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mechat.bench.load.ChatLoad;
import mechat.bench.load.Report;

/**
 * {@code bench soak}: honest pairs ({@link ChatLoad}, open loop at a steady rate) chat from start
 * to end; once all of them are matched with each other and a warm-up has passed, abusive clients
 * ({@link Abuse}) churn beside them for a while, and a cool-down of honest traffic follows. The
 * honest clients are matched before any abuser registers, and never requeued, so they only ever
 * meet each other. Passes when the honest pairs lost, reordered, duplicated and corrupted nothing
 * and every kind of abuse was answered as the protocol says.
 *
 * <p>The phases are announced on stderr ({@link #ABUSE_STARTS}, {@link #ABUSE_STOPPED}), so a
 * script that samples the server can tell them apart; tests use a {@link Listener}.
 */
public final class Soak {

  public record Options(
      ChatLoad.Options honest, double warmupSeconds, Abuse.Options abuse, double cooldownSeconds) {

    /** The honest chat lasts warm-up + abuse + cool-down at {@code rate} msgs/s in total. */
    public static long messagesPerClient(int pairs, double rate, double seconds) {
      return Math.max(1, (long) Math.ceil(rate * seconds / (2.0 * pairs)));
    }
  }

  /** Called on the abuse thread just before the abuse starts and just after it stopped. */
  public interface Listener {
    default void beforeAbuse() {}

    default void afterAbuse(AbuseStats stats) {}
  }

  public static final String ABUSE_STARTS = "bench soak: abuse starts";
  public static final String ABUSE_STOPPED = "bench soak: abuse stopped";

  private final Options o;
  private final Listener listener;
  private final CountDownLatch cancelled = new CountDownLatch(1);
  private volatile AbuseStats abuseStats;
  private volatile Throwable abuseCrash;

  public Soak(Options o, Listener listener) {
    this.o = o;
    this.listener = listener;
  }

  /** Runs, prints both reports, and returns the exit code (0 all good, 1 anything else). */
  public int run(PrintWriter out, PrintWriter err, boolean json)
      throws IOException, InterruptedException {
    ChatLoad honest = new ChatLoad(o.honest());
    Abuse abuse = new Abuse(o.abuse());
    Thread abuser = new Thread(() -> abuse(abuse, err), "soak-abuse");
    abuser.setDaemon(true);
    honest.onChatStart(
        () -> {
          say(
              err,
              String.format(
                  Locale.ROOT,
                  "bench soak: %d honest pairs matched; warm-up %.0f s,"
                      + " abuse %.0f s, cool-down %.0f s",
                  o.honest().pairs(),
                  o.warmupSeconds(),
                  o.abuse().seconds(),
                  o.cooldownSeconds()));
          abuser.start();
        });
    out.println("honest pairs:");
    try {
      honest.run(out, err, false);
    } finally {
      cancelled.countDown(); // the honest run is over; if the abuse is not, it ends now
      abuse.stop();
      if (abuser.getState() != Thread.State.NEW) abuser.join();
    }

    Report.Chat h = honest.report();
    AbuseStats a = abuseStats;
    out.println("abusers:");
    if (a != null) a.print(out);
    else out.println(abuseCrash != null ? "failed: " + abuseCrash : "did not run");
    boolean honestOk = h != null && h.ok();
    boolean abuseOk = a != null && a.ok();
    out.println("honest: " + (honestOk ? "OK" : "FAIL") + ", abuse: " + (abuseOk ? "OK" : "FAIL"));
    out.println("result: " + (honestOk && abuseOk ? "OK" : "FAIL"));
    if (json) out.println(json(h, a, honestOk && abuseOk));
    out.flush();
    return honestOk && abuseOk ? 0 : 1;
  }

  private void abuse(Abuse abuse, PrintWriter err) {
    try {
      if (cancelled.await((long) (o.warmupSeconds() * 1000), TimeUnit.MILLISECONDS)) return;
      listener.beforeAbuse();
      say(err, String.format(Locale.ROOT, "%s (%.0f s)", ABUSE_STARTS, o.abuse().seconds()));
      AbuseStats stats = abuse.run(err);
      abuseStats = stats;
      say(
          err,
          String.format(
              Locale.ROOT,
              "%s after %d episodes, %d violations",
              ABUSE_STOPPED,
              stats.totalEpisodes(),
              stats.violations()));
      listener.afterAbuse(stats);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      abuseCrash = e;
    }
  }

  private static synchronized void say(PrintWriter err, String line) {
    err.println(line);
    err.flush();
  }

  private static String json(Report.Chat h, AbuseStats a, boolean ok) {
    StringBuilder j = new StringBuilder("{\"mode\":\"soak\"");
    if (h != null) {
      j.append(
          String.format(
              Locale.ROOT,
              ",\"pairs\":%d,\"sent\":%d,\"received\":%d,\"lost\":%d,"
                  + "\"reordered\":%d,\"duplicated\":%d,\"corrupted\":%d,\"unexpected\":%d,"
                  + "\"duration_s\":%.3f,\"honest_ok\":%b",
              h.pairs(),
              h.sent(),
              h.received(),
              h.lost(),
              h.reordered(),
              h.duplicated(),
              h.corrupted(),
              h.unexpected(),
              h.seconds(),
              h.ok()));
    } else {
      j.append(",\"honest_ok\":false");
    }
    if (a != null) {
      j.append(',');
      a.json(j);
      j.append(",\"abuse_ok\":").append(a.ok());
    } else {
      j.append(",\"abuse_ok\":false");
    }
    return j.append(",\"ok\":").append(ok).append('}').toString();
  }
}
