package mechat.bench.load;

import java.io.PrintWriter;

/**
 * A status line on stderr about once a second, so an operator watching a long run (or a stuck one)
 * sees it move. Nothing is printed during the first second: short runs stay quiet.
 */
final class Progress {
  private static final long INTERVAL = 1_000_000_000L;

  private final PrintWriter err;
  private long next;

  Progress(PrintWriter err, long start) {
    this.err = err;
    this.next = start + INTERVAL;
  }

  /** When the next line is due (System.nanoTime), so the event loop wakes up for it. */
  long next() {
    return next;
  }

  boolean due(long now) {
    return now - next >= 0;
  }

  void print(String status) {
    err.println("bench: " + status);
    err.flush();
    next = System.nanoTime() + INTERVAL;
  }
}
