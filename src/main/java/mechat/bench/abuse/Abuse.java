package mechat.bench.abuse;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code bench abuse}: abusive clients churn against a server for a while, each kind of abuse
 * ({@link AbuseKind}) on its own worker threads, one episode after another ({@link Episodes}), and
 * every answer of the server is checked against the protocol. Blocking sockets and a thread per
 * abuser: unlike the load generator's clients ({@code mechat.bench.load}), nothing here is
 * measured, and an episode reads best as straight-line code.
 *
 * <p>Abusers register names, and the matchmaker pairs anyone with anyone: run this only once the
 * honest clients of a run are matched with each other ({@link Soak} does).
 */
public final class Abuse {

  /**
   * @param clients worker threads (episodes at a time), at least one per kind
   * @param churn episode starts per second over all workers (0: no pause between episodes)
   * @param slowReaderWait how long a flooded reader may go undropped before it is a violation
   */
  public record Options(
      InetSocketAddress address,
      double seconds,
      int clients,
      double churn,
      Duration slowReaderWait) {}

  /** The server did something protocol v1 forbids (or nothing, where it must act). */
  static class Violation extends RuntimeException {
    Violation(String message) {
      super(message, null, false, false);
    }
  }

  /** The one lock under which abusers register and deliberately leave: see {@link Pairing}. */
  static final class Gate {
    private final ReentrantLock lock = new ReentrantLock(true);

    void run(Episode.Blocking body) throws IOException {
      lock.lock();
      try {
        body.run();
      } finally {
        lock.unlock();
      }
    }
  }

  private static final long STATUS_INTERVAL = 10_000_000_000L;
  private static final long WATCH_INTERVAL = 200_000_000L;
  private static final AbuseKind[] KINDS = AbuseKind.values();

  private final Options o;
  private final AbuseStats stats = new AbuseStats();
  private final Gate gate = new Gate();
  private final Set<Episode> live = ConcurrentHashMap.newKeySet();
  private final EnumMap<AbuseKind, AtomicLong> numbers = new EnumMap<>(AbuseKind.class);
  private final AtomicLong names = new AtomicLong();
  private final String namePrefix;
  private volatile boolean stopRequested;
  private volatile boolean stopping;

  public Abuse(Options o) {
    if (o.clients() < KINDS.length) {
      throw new IllegalArgumentException("need at least one client per kind: " + KINDS.length);
    }
    this.o = o;
    for (AbuseKind k : KINDS) numbers.put(k, new AtomicLong());
    String pid = Long.toString(ProcessHandle.current().pid(), 36);
    String tag = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36, 36 * 36 * 36), 36);
    this.namePrefix = "ab" + pid + tag + "-";
  }

  /**
   * Runs the abusers for the set time (or until {@link #stop}), closes every connection they still
   * hold, waits for the workers, and returns the counts.
   */
  public AbuseStats run(PrintWriter err) throws InterruptedException {
    long t0 = System.nanoTime();
    long end = t0 + (long) (o.seconds() * 1e9);
    long interval = o.churn() > 0 ? (long) (o.clients() / o.churn() * 1e9) : 0;
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < o.clients(); i++) {
      AbuseKind kind = KINDS[i % KINDS.length];
      Thread t = new Thread(() -> work(kind, interval), "abuse-" + kind.label + "-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    long nextStatus = t0 + STATUS_INTERVAL;
    for (long now = t0; !stopRequested && now - end < 0; now = System.nanoTime()) {
      LockSupport.parkNanos(Math.min(WATCH_INTERVAL, end - now));
      now = System.nanoTime();
      for (Episode e : live) {
        if (now - e.deadlineNanos > 0 && !e.isInterrupted()) e.interrupt(true);
      }
      if (now - nextStatus >= 0) {
        err.printf(
            Locale.ROOT,
            "bench abuse: %.0f s left, %d episodes, %d connections," + " %d violations%n",
            Math.max(0, (end - now) / 1e9),
            stats.totalEpisodes(),
            stats.connections(),
            stats.violations());
        err.flush();
        nextStatus += STATUS_INTERVAL;
      }
    }
    stopping = true;
    for (Episode e : live) e.interrupt(false);
    for (Thread t : workers) t.join(30_000);
    stats.finished((System.nanoTime() - t0) / 1e9);
    return stats;
  }

  /** Ends the run early (from another thread). */
  void stop() {
    stopRequested = true;
  }

  private void work(AbuseKind kind, long intervalNanos) {
    long next = System.nanoTime();
    while (!stopping) {
      long now = System.nanoTime();
      if (next - now > 0) {
        LockSupport.parkNanos(Math.min(next - now, WATCH_INTERVAL));
        continue;
      }
      next = Math.max(next + intervalNanos, now);
      runEpisode(kind);
    }
  }

  private void runEpisode(AbuseKind kind) {
    Duration budget = kind.budget(o.slowReaderWait());
    Episode e = new Episode(this, kind, numbers.get(kind).getAndIncrement(), budget.toNanos());
    live.add(e);
    if (stopping) e.interrupt(false); // raced with the end of the run: nothing will be opened
    stats.countEpisode(kind);
    try {
      Episodes.run(e);
      stats.countCompleted(kind);
    } catch (Pairing.Mismatch m) {
      stats.countMismatch(kind, m.getMessage());
    } catch (IOException | RuntimeException failure) {
      if (e.isStuck()) {
        stats.countViolation(
            kind,
            "no progress within "
                + budget.toSeconds()
                + " s: the server stopped reading or answering ("
                + describe(failure)
                + ")");
      } else if (e.isInterrupted()) {
        stats.countCutShort(kind);
      } else {
        stats.countViolation(kind, describe(failure));
      }
    } finally {
      e.closeAll();
      live.remove(e);
    }
  }

  private static String describe(Exception e) {
    if (e instanceof Violation) return e.getMessage();
    return (e instanceof IOException ? "connection error: " : "") + e;
  }

  InetSocketAddress address() {
    return o.address();
  }

  AbuseStats stats() {
    return stats;
  }

  Gate gate() {
    return gate;
  }

  Duration slowReaderWait() {
    return o.slowReaderWait();
  }

  /** A name no other client of this run has: "ab", this process, a random tag, a number. */
  String newName() {
    return namePrefix + names.getAndIncrement();
  }
}
