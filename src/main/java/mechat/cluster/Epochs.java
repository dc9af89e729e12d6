package mechat.cluster;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names for the matchmaker's incarnations that sort in the order they started: milliseconds of the
 * wall clock (strictly increasing within a JVM), then a random tag. A registry takes a newer epoch
 * as the live matchmaker and ignores what an older one still sends. Across nodes this needs clocks
 * that agree within a few seconds (a fail-over takes ~14 s), as NTP gives.
 */
final class Epochs {
  private static final AtomicLong last = new AtomicLong();

  private Epochs() {}

  static String next() {
    long now = last.updateAndGet(prev -> Math.max(prev + 1, System.currentTimeMillis()));
    return String.format("%013d-%s", now, UUID.randomUUID().toString().substring(0, 8));
  }

  /** The random tag alone: short, unique enough to tell this incarnation's pair ids apart. */
  static String tag(String epoch) {
    return epoch.substring(epoch.indexOf('-') + 1);
  }
}
