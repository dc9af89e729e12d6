package mechat.bench.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;

/**
 * {@code bench idle}: N registered clients that say nothing. Measures how long the server takes to
 * accept and register them all (each got {@code wait} or {@code matched to}), then holds them open,
 * so an operator can look at the server's memory and threads per connection meanwhile. While held,
 * the only line a client may get is {@code matched to} (a waiting one being paired).
 */
public final class IdleLoad implements ClientPool.Handler {

  public record Options(
      InetSocketAddress address,
      int conns,
      double holdSeconds,
      double timeoutSeconds,
      int concurrency) {}

  /** A name line; nothing else is ever sent. */
  private static final int OUT_CAPACITY = 64;

  private static final int MAX_LINE = 4096 + 64;

  private final Options o;
  private ClientPool clients;

  public IdleLoad(Options o) {
    this.o = o;
  }

  public int run(PrintWriter out, PrintWriter err, boolean json) throws IOException {
    long t0 = System.nanoTime();
    Progress progress = new Progress(err, t0);
    try (ClientPool cs =
        new ClientPool(o.address(), o.conns(), o.concurrency(), OUT_CAPACITY, MAX_LINE, err)) {
      clients = cs;
      cs.setHandler(this);
      ClientPool.Setup setup = cs.setup(false, t0 + (long) (o.timeoutSeconds() * 1e9), progress);
      double setupSeconds = (System.nanoTime() - t0) / 1e9;
      if (setup != ClientPool.Setup.DONE) {
        String why =
            setup == ClientPool.Setup.TIMED_OUT
                ? "not all clients registered within --timeout"
                : cs.failure();
        Report.setupFailed(out, err, "idle", setupSeconds, why, cs, json);
        return 1;
      }
      long holdStart = System.nanoTime();
      long holdEnd = holdStart + (long) (o.holdSeconds() * 1e9);
      while (cs.failure() == null) {
        long now = System.nanoTime();
        if (now - holdEnd >= 0) break;
        if (progress.due(now)) {
          progress.print(
              String.format(
                  "holding %d connections (%d matched), %.0f s left",
                  o.conns(), cs.matched(), (holdEnd - now) / 1e9));
        }
        cs.poll(ClientPool.earlier(holdEnd, progress.next()), false);
      }
      Report.Idle report =
          new Report.Idle(
              o.conns(),
              setupSeconds,
              (System.nanoTime() - holdStart) / 1e9,
              cs.matched(),
              cs.unexpected(),
              cs.failure());
      Report.print(out, report, json);
      return report.ok() ? 0 : 1;
    }
  }

  @Override
  public void onMatchedLine(PooledClient c, byte[] buf, int off, int len, long now) {
    clients.unexpected(c, buf, off, len); // nobody here sends a message
  }
}
