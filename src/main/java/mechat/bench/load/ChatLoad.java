package mechat.bench.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * {@code bench chat}: 2N clients, matched in pairs by the server; each sends M messages to its
 * partner while the receivers check every line (sender, length, bytes, sequence) and measure the
 * one-way latency. All on the calling thread, see {@link ClientPool}.
 *
 * <p>Closed loop (the default): a client keeps at most {@code window} messages on the way to its
 * partner, so throughput is what the server sustains and latency is mostly queueing. Open loop
 * ({@code rate > 0}): message g of all (client i's k-th has g = k * 2N + i) is due at start + g /
 * rate, and its timestamp is that scheduled time, so a sender held back by the window or the server
 * still counts the wait as latency (no coordinated omission).
 *
 * <p>A run ends when every message has arrived; when the last message of every sender has been seen
 * but earlier ones are missing (a lossy server), a short grace period lets late ones in and the
 * rest count as lost; otherwise at the timeout.
 */
public final class ChatLoad implements ClientPool.Handler {

  /**
   * @param timeoutSeconds the time limit for setup (connect, register, match)
   * @param chatTimeoutSeconds the time limit for the chat phase
   */
  public record Options(
      List<InetSocketAddress> addresses,
      int pairs,
      long messages,
      int size,
      int window,
      double rate,
      double timeoutSeconds,
      int concurrency,
      double chatTimeoutSeconds) {

    /** One server: every client connects to {@code address}. */
    public Options(
        InetSocketAddress address,
        int pairs,
        long messages,
        int size,
        int window,
        double rate,
        double timeoutSeconds,
        int concurrency,
        double chatTimeoutSeconds) {
      this(
          List.of(address),
          pairs,
          messages,
          size,
          window,
          rate,
          timeoutSeconds,
          concurrency,
          chatTimeoutSeconds);
    }

    /** The first (or only) server. */
    public InetSocketAddress address() {
      return addresses.get(0);
    }

    /** The same, with client i connecting to {@code addresses[i mod n]} (a cluster's nodes). */
    public Options spreadOver(List<InetSocketAddress> addresses) {
      return new Options(
          List.copyOf(addresses),
          pairs,
          messages,
          size,
          window,
          rate,
          timeoutSeconds,
          concurrency,
          chatTimeoutSeconds);
    }

    /** The same time limit for setup and for chat. */
    public Options(
        InetSocketAddress address,
        int pairs,
        long messages,
        int size,
        int window,
        double rate,
        double timeoutSeconds,
        int concurrency) {
      this(
          address,
          pairs,
          messages,
          size,
          window,
          rate,
          timeoutSeconds,
          concurrency,
          timeoutSeconds);
    }
  }

  /** How long to wait for late (reordered) messages once every sender's last one was seen. */
  private static final long GRACE_NANOS = 500_000_000L;

  /** Enough output buffer for a window of small messages; more only feeds the kernel's. */
  private static final int MAX_OUT = 64 * 1024;

  private static final byte[] PARTNER_LEFT = ClientPool.ascii(mechat.protocol.Notices.PARTNER_LEFT);

  private final Options o;
  private final Payload payload;
  private final int msgLen;
  private final int n;
  private final double stepNanos;
  private final Histogram latency = new Histogram(3);
  private final Histogram lag;

  private Runnable onChatStart = () -> {};
  private Report.Chat report;
  private ClientPool clients;
  private PooledClient[] conns;
  private boolean chatPhase;
  private long chatStart;
  private long lastReceive;
  private long expectedTotal;
  private long cursor; // --rate: the next message of the global schedule
  private long sent;
  private long received;
  private long reordered;
  private long duplicated;
  private long corrupted;
  private int tailsSeen;

  public ChatLoad(Options o) {
    this.o = o;
    this.payload = new Payload(o.size());
    this.msgLen = o.size() + 1;
    this.n = 2 * o.pairs();
    this.stepNanos = o.rate() > 0 ? 1e9 / o.rate() : 0;
    this.lag = o.rate() > 0 ? new Histogram(3) : null;
  }

  /** Called once every client is matched, just before the first message goes out. */
  public void onChatStart(Runnable action) {
    this.onChatStart = action;
  }

  /** What the chat phase measured; null before it ended, or when setup failed. */
  public Report.Chat report() {
    return report;
  }

  /** Runs, prints the report, and returns the exit code (0 all good, 1 anything else). */
  public int run(PrintWriter out, PrintWriter err, boolean json) throws IOException {
    int outCapacity =
        (int)
            Math.max(
                msgLen, o.window() == 0 ? MAX_OUT : Math.min((long) o.window() * msgLen, MAX_OUT));
    int maxLine = Math.max(o.size(), 4096) + 64;
    long t0 = System.nanoTime();
    Progress progress = new Progress(err, t0);
    try (ClientPool cs =
        new ClientPool(o.addresses(), n, o.concurrency(), outCapacity, maxLine, err)) {
      clients = cs;
      conns = cs.conns;
      cs.setHandler(this);
      ClientPool.Setup setup = cs.setup(true, t0 + nanos(o.timeoutSeconds()), progress);
      double setupSeconds = (System.nanoTime() - t0) / 1e9;
      String why =
          setup == ClientPool.Setup.TIMED_OUT
              ? "not all clients matched within --timeout"
              : setup == ClientPool.Setup.FAILED ? cs.failure() : pairingProblem();
      if (why != null) {
        Report.setupFailed(out, err, "chat", setupSeconds, why, cs, json);
        return 1;
      }
      if (o.addresses().size() > 1) {
        err.printf(
            "bench chat: clients spread over %d servers; %d of %d pairs span two of them%n",
            o.addresses().size(), cs.pairsSpanningAddresses(), o.pairs());
        err.flush();
      }
      onChatStart.run();
      report = chat(setupSeconds, progress);
      Report.print(out, report, json);
      return report.ok() ? 0 : 1;
    }
  }

  /** Each client's partner must name it back; also prepares what each receiver checks. */
  private String pairingProblem() {
    for (PooledClient c : conns) {
      PooledClient p = conns[c.partner];
      if (p.partner != c.index) {
        return "inconsistent pairing: client " + c.index + " -> " + p.index + " -> " + p.partner;
      }
      c.received = new SequenceTracker();
      c.partnerPrefix =
          ClientPool.ascii(clients.name(p.index) + mechat.protocol.ChatLine.SEPARATOR);
    }
    return null;
  }

  private Report.Chat chat(double setupSeconds, Progress progress) throws IOException {
    chatPhase = true;
    chatStart = System.nanoTime();
    lastReceive = chatStart;
    expectedTotal = o.messages() * n;
    long deadline = chatStart + nanos(o.chatTimeoutSeconds());
    for (PooledClient c : conns) trySend(c);
    boolean timedOut = false;
    long graceEnd = 0;
    boolean inGrace = false;
    while (received < expectedTotal && clients.failure() == null) {
      long now = System.nanoTime();
      if (tailsSeen == n && sent == expectedTotal) {
        if (!inGrace) {
          inGrace = true;
          graceEnd = now + GRACE_NANOS;
        } else if (now - graceEnd >= 0) {
          break;
        }
      }
      if (now - deadline >= 0) {
        timedOut = true;
        break;
      }
      long wake = ClientPool.earlier(deadline, progress.next());
      if (inGrace) wake = ClientPool.earlier(wake, graceEnd);
      if (o.rate() > 0) wake = ClientPool.earlier(wake, releaseDue(now, deadline));
      if (progress.due(now)) {
        progress.print("sent " + sent + ", received " + received + " of " + expectedTotal);
      }
      clients.poll(wake, o.rate() > 0);
    }
    long end = lastReceive - chatStart > 0 ? lastReceive : System.nanoTime();
    return new Report.Chat(
        o.pairs(),
        o.messages(),
        o.size(),
        o.window(),
        o.rate(),
        setupSeconds,
        sent,
        received,
        (end - chatStart) / 1e9,
        latency,
        lag,
        lost(),
        reordered,
        duplicated,
        corrupted,
        clients.unexpected(),
        timedOut,
        clients.failure());
  }

  /**
   * --rate: pokes the clients whose scheduled messages are due; returns when the next one is due.
   */
  private long releaseDue(long now, long none) {
    while (cursor < expectedTotal) {
      long due = scheduled(cursor);
      if (due - now > 0) return due;
      trySend(conns[(int) (cursor % n)]);
      cursor++;
    }
    return none;
  }

  private long scheduled(long g) {
    return chatStart + (long) (g * stepNanos);
  }

  /**
   * Writes as many messages as the count, the window, the schedule and the output buffer allow,
   * then flushes (unless the socket is known to be full: OP_WRITE will call back).
   */
  private void trySend(PooledClient c) {
    if (c.state != PooledClient.State.MATCHED || !c.isOpen()) return;
    PooledClient p = conns[c.partner];
    long now = System.nanoTime();
    while (c.sent < o.messages()) {
      if (o.window() > 0 && c.sent - p.received.expected() >= o.window()) break;
      long stamp = now;
      if (stepNanos > 0) {
        stamp = scheduled(c.sent * n + c.index);
        if (stamp - now > 0) break;
      }
      int at = c.reserve(msgLen, clients.outCapacity());
      if (at < 0) break;
      if (lag != null) lag.recordValue(now - stamp);
      payload.write(c.out, at, c.index, c.sent, stamp);
      c.out[at + o.size()] = '\n';
      c.commit(msgLen);
      c.sent++;
      sent++;
    }
    if (!c.wantWrite) clients.flush(c);
  }

  @Override
  public void onMatchedLine(PooledClient c, byte[] b, int off, int len, long now) {
    byte[] prefix = c.partnerPrefix;
    if (!chatPhase || !ClientPool.startsWith(b, off, len, prefix)) {
      clients.unexpected(c, b, off, len);
      if (ClientPool.startsWith(b, off, len, PARTNER_LEFT) && len == PARTNER_LEFT.length) {
        // the rest of this pair's messages cannot arrive: no point waiting for --timeout
        clients.fail("the partner of client " + c.index + " left during the run");
      }
      return;
    }
    int t = off + prefix.length;
    int tl = len - prefix.length;
    lastReceive = now;
    c.gotChat = true;
    long seq = Payload.readSeq(b, t, tl);
    long stamp = seq < 0 ? 0 : Payload.readStamp(b, t);
    if (seq < 0 || !payload.bodyMatches(b, t, tl, c.partner, seq, stamp)) {
      // not placed in the sequence: its number cannot be trusted, so it also shows as lost
      corrupted++;
      clients.note(c, "corrupted message", b, t, tl);
      return;
    }
    switch (c.received.accept(seq)) {
      case IN_ORDER:
      case AFTER_GAP:
        received++;
        break;
      case LATE:
        received++;
        reordered++;
        break;
      default:
        duplicated++;
        return;
    }
    latency.recordValue(Math.max(0, now - stamp));
    if (!c.tailSeen && c.received.expected() >= o.messages()) {
      c.tailSeen = true;
      tailsSeen++;
    }
  }

  @Override
  public void afterRead(PooledClient c) {
    if (c.gotChat) {
      c.gotChat = false;
      trySend(conns[c.partner]); // its window may have opened
    }
  }

  @Override
  public void onDrained(PooledClient c) {
    if (chatPhase) trySend(c);
  }

  /**
   * Missing numbers inside what each receiver saw, plus what its partner wrote to the socket after
   * the last one it saw (what never left our own buffer is not the server's loss).
   */
  private long lost() {
    long lost = 0;
    for (PooledClient c : conns) {
      if (c.received == null) continue;
      lost += c.received.missing();
      PooledClient p = conns[c.partner];
      long written = p.sent - (p.outLen + msgLen - 1) / msgLen;
      if (written > c.received.expected()) lost += written - c.received.expected();
    }
    return lost;
  }

  private static long nanos(double seconds) {
    return (long) (seconds * 1e9);
  }
}
