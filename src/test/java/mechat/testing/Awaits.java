package mechat.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition until it holds or a deadline passes: the only way tests wait. */
public final class Awaits {
  public static final Duration DEFAULT = Duration.ofSeconds(15);

  private Awaits() {}

  public static void until(Callable<Boolean> condition, String what) throws Exception {
    until(condition, what, DEFAULT);
  }

  public static void until(Callable<Boolean> condition, String what, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) fail("timed out after " + timeout + " waiting for " + what);
      Thread.onSpinWait();
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000); // poll every 10 ms
    }
  }
}
