package mechat.bench.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import mechat.protocol.Notices;

/**
 * Many protocol clients on one selector thread: connects them with a bounded number in flight,
 * registers a unique name for each, follows {@code wait} and {@code matched to NAME}, splits
 * input into lines and writes buffered output. What matched clients do with their lines is the
 * {@link Handler}'s business (chat load or idle hold).
 *
 * <p>One thread and non-blocking sockets, because a thread per connection would make the load
 * generator, not the server, the thing being measured. Reads go through one shared buffer; a
 * connection keeps only its unfinished line, so thousands of idle clients cost little memory.
 *
 * <p>The first error is kept as {@link #failure()} and ends the run; lines that make no sense
 * are counted as unexpected, and the first few are printed to stderr.
 */
final class ClientPool implements AutoCloseable {

  /** What to do with the lines and the writability of matched clients. */
  interface Handler {
    /** A line (without LF) for a client in state MATCHED. */
    void onMatchedLine(PooledClient c, byte[] buf, int off, int len, long now);

    /** After a read; the lines it held have been handed over. */
    default void afterRead(PooledClient c) {}

    /** The socket took everything buffered and can take more. */
    default void onDrained(PooledClient c) {}

    /** Whether the server closing a connection is a normal end (rather than an error) now. */
    default boolean closeExpected() {
      return false;
    }
  }

  private static final int READ_BUFFER = 256 * 1024;
  private static final int MAX_PRINTED = 5;
  private static final byte[] WAIT = ascii(Notices.WAIT);
  private static final byte[] MATCHED_TO = ascii(Notices.MATCHED_TO_PREFIX);
  private static final byte[] PARTNER_LEFT = ascii(Notices.PARTNER_LEFT);
  private static final byte[] CHAT_SEPARATOR = ascii(mechat.protocol.ChatLine.SEPARATOR);

  final PooledClient[] conns;
  private final Selector selector;
  private final InetSocketAddress address;
  private final int concurrency;
  private final String namePrefix;
  private final byte[] namePrefixBytes;
  private final int outCapacity;
  private final int maxLine;
  private final PrintWriter err;
  private Handler handler = (c, buf, off, len, now) -> unexpected(c, buf, off, len);

  private final byte[] rbuf;
  private final ByteBuffer rbb;
  private final Consumer<SelectionKey> onReady = this::onReady;

  private int nextConnect;
  private int inflight; // connecting or registering
  private int connected;
  private int registered;
  private int matched;
  private long unexpected;
  private int foreign; // matches with clients outside this run, waited out
  private int printed;
  private String failure;

  /**
   * @param outCapacity bytes of output buffer per client (allocated on first use)
   * @param maxLine the longest server line expected; longer ones are unexpected
   */
  ClientPool(InetSocketAddress address, int count, int concurrency, int outCapacity, int maxLine,
      PrintWriter err) throws IOException {
    this.address = address;
    this.concurrency = concurrency;
    this.outCapacity = outCapacity;
    this.maxLine = maxLine;
    this.err = err;
    this.conns = new PooledClient[count];
    for (int i = 0; i < count; i++) conns[i] = new PooledClient(i);
    this.namePrefix = uniquePrefix();
    this.namePrefixBytes = ascii(namePrefix);
    // room for an unfinished line carried over plus at least as much new input
    this.rbuf = new byte[Math.max(READ_BUFFER, 2 * maxLine)];
    this.rbb = ByteBuffer.wrap(rbuf);
    this.selector = Selector.open();
  }

  /**
   * "mb" + this process + a random tag + "-": unique on the server even when several bench runs
   * (or several runs inside one JVM, as in the tests) share it. With the index it stays well
   * under the 30 characters a name may have (protocol §3).
   */
  private static String uniquePrefix() {
    String pid = Long.toString(ProcessHandle.current().pid(), 36);
    String tag = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
    return "mb" + pid + tag + "-";
  }

  void setHandler(Handler handler) {
    this.handler = handler;
  }

  String name(int index) {
    return namePrefix + index;
  }

  int connected() {
    return connected;
  }

  int registered() {
    return registered;
  }

  int matched() {
    return matched;
  }

  long unexpected() {
    return unexpected;
  }

  /** How often a client was matched to a client outside this run (and waited for it to leave). */
  int foreign() {
    return foreign;
  }

  /** The first error, or null. */
  String failure() {
    return failure;
  }

  void fail(String message) {
    if (failure == null) failure = message;
  }

  // ---------------------------------------------------------------- setup

  enum Setup {
    DONE,
    FAILED,
    TIMED_OUT
  }

  /**
   * Connects and registers every client, then waits until each one is matched ({@code
   * needMatch}) or merely registered ({@code wait} or {@code matched to}).
   */
  Setup setup(boolean needMatch, long deadline, Progress progress) throws IOException {
    pumpConnects();
    while (true) {
      if (failure != null) return Setup.FAILED;
      if ((needMatch ? matched : registered) >= conns.length) {
        if (foreign > 0) {
          err.println("bench: waited out " + foreign + " matches with clients outside this run"
              + " (leftovers of an earlier run?)");
          err.flush();
        }
        return Setup.DONE;
      }
      long now = System.nanoTime();
      if (now - deadline >= 0) return Setup.TIMED_OUT;
      if (progress.due(now)) progress.print(setupStatus());
      poll(earlier(deadline, progress.next()), false);
      pumpConnects();
    }
  }

  String setupStatus() {
    return String.format("connected %d, registered %d, matched %d of %d", connected, registered,
        matched, conns.length)
        + (foreign > 0 ? ", " + foreign + " matches with clients outside this run" : "");
  }

  /** Starts connections while fewer than {@code concurrency} are connecting or registering. */
  private void pumpConnects() {
    while (nextConnect < conns.length && inflight < concurrency && failure == null) {
      startConnect(conns[nextConnect++]);
    }
  }

  private void startConnect(PooledClient c) {
    inflight++;
    c.state = PooledClient.State.CONNECTING;
    try {
      SocketChannel ch = SocketChannel.open();
      c.channel = ch;
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true); // small lines must not wait for Nagle
      boolean done = ch.connect(address);
      c.key = ch.register(selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
      if (done) onConnected(c);
    } catch (IOException e) {
      fail("cannot connect client " + c.index + " to " + address + ": " + describe(e));
      close(c);
    }
  }

  private void finishConnect(PooledClient c) {
    try {
      c.channel.finishConnect();
    } catch (IOException e) {
      fail("cannot connect client " + c.index + " to " + address + ": " + describe(e));
      close(c);
      return;
    }
    c.key.interestOps(SelectionKey.OP_READ);
    onConnected(c);
  }

  private void onConnected(PooledClient c) {
    connected++;
    c.state = PooledClient.State.REGISTERING;
    byte[] line = ascii(name(c.index) + "\n");
    int at = c.reserve(line.length, outCapacity);
    System.arraycopy(line, 0, c.out, at, line.length);
    c.commit(line.length);
    flush(c);
  }

  // ---------------------------------------------------------------- lines

  private void onLine(PooledClient c, byte[] b, int off, int len, long now) {
    switch (c.state) {
      case REGISTERING:
        if (equals(b, off, len, WAIT)) {
          registered(c);
        } else if (startsWith(b, off, len, MATCHED_TO)) {
          registered(c);
          onMatched(c, b, off + MATCHED_TO.length, len - MATCHED_TO.length);
        } else {
          unexpected(c, b, off, len);
          fail("registration of client " + c.index + " refused: '" + text(b, off, len) + "'");
        }
        break;
      case WAITING:
        if (startsWith(b, off, len, MATCHED_TO)) {
          onMatched(c, b, off + MATCHED_TO.length, len - MATCHED_TO.length);
        } else if (!equals(b, off, len, WAIT)) { // "wait" again after a foreign partner left
          unexpected(c, b, off, len);
        }
        break;
      case FOREIGN:
        if (equals(b, off, len, PARTNER_LEFT)) {
          // the server requeues us: "wait" or "matched to" follows
          c.state = PooledClient.State.WAITING;
        } else if (indexOf(b, off, len, CHAT_SEPARATOR) < 0) {
          unexpected(c, b, off, len); // a notice; what the stranger says is none of our business
        }
        break;
      case MATCHED:
        handler.onMatchedLine(c, b, off, len, now);
        break;
      default:
        unexpected(c, b, off, len);
    }
  }

  /** Got "wait" or "matched to": the name is ours, a connection slot is free again. */
  private void registered(PooledClient c) {
    registered++;
    inflight--;
    c.state = PooledClient.State.WAITING;
  }

  /** "matched to NAME": NAME must be one of ours, so we learn the pairs from the notices. */
  private void onMatched(PooledClient c, byte[] b, int off, int len) {
    int partner = -1;
    if (startsWith(b, off, len, namePrefixBytes) && len > namePrefixBytes.length
        && len - namePrefixBytes.length <= 9) {
      partner = 0;
      for (int k = off + namePrefixBytes.length; k < off + len && partner >= 0; k++) {
        partner = b[k] >= '0' && b[k] <= '9' ? partner * 10 + (b[k] - '0') : -1;
      }
    }
    if (partner < 0) {
      // Someone else's client. Typically a leftover of the previous run: when a run ends, the
      // server requeues the partner of the first of a pair it sees close, and may match it
      // before it sees that one close too. It soon leaves (partner left); a real user who stays
      // shows in the setup status and ends in the setup timeout.
      foreign++;
      note(c, "matched to a client outside this run, waiting for it to leave", b, off, len);
      c.state = PooledClient.State.FOREIGN;
      return;
    }
    if (partner >= conns.length || partner == c.index) {
      unexpected(c, b, off, len);
      fail("client " + c.index + " was matched to '" + text(b, off, len) + "'");
      return;
    }
    c.partner = partner;
    c.state = PooledClient.State.MATCHED;
    matched++;
  }

  void unexpected(PooledClient c, byte[] b, int off, int len) {
    unexpected++;
    note(c, "unexpected line", b, off, len);
  }

  /** Prints a bad line on stderr; only the first few, a broken server would flood the terminal. */
  void note(PooledClient c, String what, byte[] b, int off, int len) {
    if (printed < MAX_PRINTED) {
      printed++;
      err.println("bench: client " + c.index + ": " + what + ": '"
          + text(b, off, Math.min(len, 120)) + (len > 120 ? "...'" : "'"));
      err.flush();
    }
  }

  // ---------------------------------------------------------------- I/O

  /**
   * Waits for I/O until {@code wakeAt} (System.nanoTime) and handles what is ready. The selector
   * counts in milliseconds; with {@code precise} the last sub-millisecond is slept with
   * parkNanos instead, so scheduled sends (--rate) are not up to 1 ms late. Input arriving in
   * that short sleep waits for its end.
   */
  void poll(long wakeAt, boolean precise) throws IOException {
    long d = wakeAt - System.nanoTime();
    if (d <= 0) {
      selector.selectNow(onReady);
    } else if (d >= 1_000_000L) {
      selector.select(onReady, Math.min(d / 1_000_000L, 1000L));
    } else if (precise) {
      if (d > 10_000L) LockSupport.parkNanos(d);
      selector.selectNow(onReady);
    } else {
      selector.select(onReady, 1L);
    }
  }

  private void onReady(SelectionKey key) {
    PooledClient c = (PooledClient) key.attachment();
    if (!key.isValid()) return;
    int ops = key.readyOps();
    if (c.state == PooledClient.State.CONNECTING) {
      if ((ops & SelectionKey.OP_CONNECT) != 0) finishConnect(c);
      return;
    }
    if ((ops & SelectionKey.OP_READ) != 0) read(c);
    if ((ops & SelectionKey.OP_WRITE) != 0 && c.isOpen() && flush(c)) handler.onDrained(c);
  }

  /**
   * Reads what the socket has (again while it fills the whole buffer), hands every complete line
   * over, and keeps the unfinished rest.
   */
  private void read(PooledClient c) {
    while (c.isOpen()) {
      int carry = c.partLen;
      if (carry > 0) System.arraycopy(c.part, 0, rbuf, 0, carry);
      c.partLen = 0;
      rbb.limit(rbuf.length).position(carry);
      int n;
      try {
        n = c.channel.read(rbb);
      } catch (IOException e) {
        fail("read failed on client " + c.index + ": " + describe(e));
        close(c);
        return;
      }
      if (n < 0) {
        if (!handler.closeExpected()) {
          fail("the server closed the connection of client " + c.index + " (" + c.state + ")");
        }
        close(c);
        return;
      }
      long now = System.nanoTime();
      int end = carry + n;
      int start = 0;
      for (int i = carry; i < end; i++) {
        if (rbuf[i] != '\n') continue;
        if (c.discarding) {
          c.discarding = false;
        } else {
          onLine(c, rbuf, start, i - start, now);
          if (!c.isOpen()) return;
        }
        start = i + 1;
      }
      keepRest(c, start, end);
      if (end < rbuf.length) break; // drained: the selector reports the next arrival
    }
    handler.afterRead(c);
  }

  private void keepRest(PooledClient c, int start, int end) {
    int rest = end - start;
    if (rest == 0) return;
    if (c.discarding || rest > maxLine) {
      if (!c.discarding) unexpected(c, rbuf, start, Math.min(rest, 120));
      c.discarding = true;
      return;
    }
    if (c.part == null) c.part = new byte[maxLine];
    System.arraycopy(rbuf, start, c.part, 0, rest);
    c.partLen = rest;
  }

  /**
   * Writes buffered output; returns true when all of it went. Otherwise OP_WRITE stays in the
   * interest set until the socket drains (switched only on change: each switch is a syscall).
   */
  boolean flush(PooledClient c) {
    if (c.outLen > 0 && c.isOpen()) {
      try {
        c.outBuf.limit(c.outHead + c.outLen).position(c.outHead);
        int n = c.channel.write(c.outBuf);
        c.outHead += n;
        c.outLen -= n;
      } catch (IOException e) {
        fail("write failed on client " + c.index + ": " + describe(e));
        close(c);
        return false;
      }
    }
    if (!c.isOpen()) return false;
    boolean all = c.outLen == 0;
    if (all) c.outHead = 0;
    if (all == c.wantWrite) {
      c.wantWrite = !all;
      c.key.interestOps(all ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }
    return all;
  }

  int outCapacity() {
    return outCapacity;
  }

  void close(PooledClient c) {
    if (c.state == PooledClient.State.CONNECTING || c.state == PooledClient.State.REGISTERING) {
      inflight--;
    }
    c.state = PooledClient.State.CLOSED;
    if (c.key != null) c.key.cancel();
    if (c.channel != null) {
      try {
        c.channel.close();
      } catch (IOException e) {
        // closing is all we wanted
      }
    }
  }

  @Override
  public void close() throws IOException {
    for (PooledClient c : conns) {
      if (c.channel != null && c.state != PooledClient.State.CLOSED) close(c);
    }
    selector.close();
  }

  // ---------------------------------------------------------------- helpers

  static long earlier(long a, long b) {
    return a - b <= 0 ? a : b;
  }

  /** An I/O error with a hint when it is the open-file limit, which only the operator can raise. */
  static String describe(IOException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("Too many open files")) {
      m += " (the open-file limit, ulimit -n, must allow every connection: 2 per pair)";
    }
    return m;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static String text(byte[] b, int off, int len) {
    return new String(b, off, len, StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] b, int off, int len, byte[] what) {
    outer:
    for (int i = off; i + what.length <= off + len; i++) {
      for (int k = 0; k < what.length; k++) {
        if (b[i + k] != what[k]) continue outer;
      }
      return i;
    }
    return -1;
  }

  private static boolean equals(byte[] b, int off, int len, byte[] what) {
    return len == what.length && Arrays.equals(b, off, off + len, what, 0, what.length);
  }

  static boolean startsWith(byte[] b, int off, int len, byte[] what) {
    return len >= what.length && Arrays.equals(b, off, off + what.length, what, 0, what.length);
  }
}
