package mechat.chat;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of this node for the operator's stats line. Connection actors add to them directly: a
 * message per relayed batch would cost the hot path more than the count is worth, and the stats of
 * one node never need to cross a cluster.
 */
public final class ServerMetrics {
  private final LongAdder linesRelayed = new LongAdder();

  void relayed(int lines) {
    linesRelayed.add(lines);
  }

  /** Chat lines delivered to a partner since the server started. */
  public long linesRelayed() {
    return linesRelayed.sum();
  }
}
