package mechat.bench.abuse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One run of one abuser: the connections it opened and the threads it started, so that the driver
 * can close them when the run ends or the episode is stuck, and what it may use (names, the pairing
 * gate, randomness). Runs on one worker thread; the driver only calls {@link #interrupt}.
 */
final class Episode {
  /** Something to run on a helper thread that may block in a write until its socket is closed. */
  @FunctionalInterface
  interface Blocking {
    void run() throws IOException;
  }

  final AbuseKind kind;

  /** Counts the episodes of this kind, from 0: picks the variant to run. */
  final long number;

  final Random random = ThreadLocalRandom.current();
  final long startNanos = System.nanoTime();
  final long deadlineNanos;

  private final Abuse driver;
  private final List<ScriptedSocket> conns = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean interrupted;
  private volatile boolean stuck;

  Episode(Abuse driver, AbuseKind kind, long number, long budgetNanos) {
    this.driver = driver;
    this.kind = kind;
    this.number = number;
    this.deadlineNanos = startNanos + budgetNanos;
  }

  /** {@code number} modulo {@code n}: the variants of a kind take turns. */
  int variant(int n) {
    return (int) (number % n);
  }

  ScriptedSocket connect() throws IOException {
    return connect(0);
  }

  /** A new connection to the server ({@code receiveBuffer} > 0: SO_RCVBUF). */
  ScriptedSocket connect(int receiveBuffer) throws IOException {
    if (interrupted) throw new IOException("the run is over");
    ScriptedSocket c = new ScriptedSocket(driver.address(), receiveBuffer);
    synchronized (this) {
      conns.add(c);
    }
    driver.stats().countConnection(kind);
    if (interrupted) c.close(); // raced with interrupt(): the next use fails
    return c;
  }

  String newName() {
    return driver.newName();
  }

  Abuse.Gate gate() {
    return driver.gate();
  }

  /** Starts a daemon thread (a flooding writer); it is joined when the episode ends. */
  void background(String name, Blocking body) {
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (IOException | RuntimeException e) {
                // its socket was closed: that is how such a thread is stopped
              }
            },
            "abuse-" + kind.label + "-" + name);
    t.setDaemon(true);
    synchronized (this) {
      threads.add(t);
    }
    t.start();
  }

  Abuse driver() {
    return driver;
  }

  /** Called by the driver: the run is over ({@code stuck} false) or the episode overran. */
  void interrupt(boolean stuck) {
    this.stuck = stuck;
    this.interrupted = true;
    closeAll();
  }

  boolean isInterrupted() {
    return interrupted;
  }

  boolean isStuck() {
    return stuck;
  }

  double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Closes every connection (FIN unless already reset) and waits for the helper threads. */
  void closeAll() {
    List<ScriptedSocket> cs;
    List<Thread> ts;
    synchronized (this) {
      cs = new ArrayList<>(conns);
      ts = new ArrayList<>(threads);
    }
    cs.forEach(ScriptedSocket::close);
    for (Thread t : ts) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
