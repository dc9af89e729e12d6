package mechat.bench.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Many protocol clients on one selector thread: waits for I/O, splits input into lines and writes
 * buffered output. Until a client is matched its lines go to the {@link PoolSetup} (connect,
 * register, match); what matched clients do with their lines is the {@link Handler}'s business
 * (chat load or idle hold).
 *
 * <p>One thread and non-blocking sockets, because a thread per connection would make the load
 * generator, not the server, the thing being measured. Reads go through one shared buffer; a
 * connection keeps only its unfinished line, so thousands of idle clients cost little memory.
 *
 * <p>The first error is kept as {@link #failure()} and ends the run; lines that make no sense are
 * counted as unexpected, and the first few are printed to stderr.
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

  final PooledClient[] conns;
  private final Selector selector;
  private final PoolSetup poolSetup;
  private final int outCapacity;
  private final int maxLine;
  private final PrintWriter err;
  private Handler handler = (c, buf, off, len, now) -> unexpected(c, buf, off, len);

  private final byte[] rbuf;
  private final ByteBuffer rbb;
  private final Consumer<SelectionKey> onReady = this::onReady;

  private long unexpected;
  private int printed;
  private String failure;

  /**
   * @param outCapacity bytes of output buffer per client (allocated on first use)
   * @param maxLine the longest server line expected; longer ones are unexpected
   */
  ClientPool(
      InetSocketAddress address,
      int count,
      int concurrency,
      int outCapacity,
      int maxLine,
      PrintWriter err)
      throws IOException {
    this(List.of(address), count, concurrency, outCapacity, maxLine, err);
  }

  /** Client i connects to {@code addresses[i mod n]}. */
  ClientPool(
      List<InetSocketAddress> addresses,
      int count,
      int concurrency,
      int outCapacity,
      int maxLine,
      PrintWriter err)
      throws IOException {
    this.outCapacity = outCapacity;
    this.maxLine = maxLine;
    this.err = err;
    this.conns = new PooledClient[count];
    for (int i = 0; i < count; i++) conns[i] = new PooledClient(i);
    // room for an unfinished line carried over plus at least as much new input
    this.rbuf = new byte[Math.max(READ_BUFFER, 2 * maxLine)];
    this.rbb = ByteBuffer.wrap(rbuf);
    this.selector = Selector.open();
    this.poolSetup = new PoolSetup(this, selector, addresses, concurrency, err);
  }

  void setHandler(Handler handler) {
    this.handler = handler;
  }

  String name(int index) {
    return poolSetup.name(index);
  }

  int connected() {
    return poolSetup.connected();
  }

  int registered() {
    return poolSetup.registered();
  }

  /** Matched pairs whose two clients reached different addresses (nodes of a cluster). */
  int pairsSpanningAddresses() {
    return poolSetup.pairsSpanningAddresses();
  }

  int matched() {
    return poolSetup.matched();
  }

  long unexpected() {
    return unexpected;
  }

  /** How often a client was matched to a client outside this run (and waited for it to leave). */
  int foreign() {
    return poolSetup.foreign();
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
   * Connects and registers every client, then waits until each one is matched ({@code needMatch})
   * or merely registered ({@code wait} or {@code matched to}); see {@link PoolSetup}.
   */
  Setup setup(boolean needMatch, long deadline, Progress progress) throws IOException {
    return poolSetup.run(needMatch, deadline, progress);
  }

  String setupStatus() {
    return poolSetup.status();
  }

  // ---------------------------------------------------------------- lines

  /** A matched client's line is the handler's business; any other one is the setup's. */
  private void onLine(PooledClient c, byte[] b, int off, int len, long now) {
    if (c.state == PooledClient.State.MATCHED) {
      handler.onMatchedLine(c, b, off, len, now);
    } else {
      poolSetup.onLine(c, b, off, len);
    }
  }

  void unexpected(PooledClient c, byte[] b, int off, int len) {
    unexpected++;
    note(c, "unexpected line", b, off, len);
  }

  /** Prints a bad line on stderr; only the first few, a broken server would flood the terminal. */
  void note(PooledClient c, String what, byte[] b, int off, int len) {
    if (printed < MAX_PRINTED) {
      printed++;
      err.println(
          "bench: client "
              + c.index
              + ": "
              + what
              + ": '"
              + text(b, off, Math.min(len, 120))
              + (len > 120 ? "...'" : "'"));
      err.flush();
    }
  }

  // ---------------------------------------------------------------- I/O

  /**
   * Waits for I/O until {@code wakeAt} (System.nanoTime) and handles what is ready. The selector
   * counts in milliseconds; with {@code precise} the last sub-millisecond is slept with parkNanos
   * instead, so scheduled sends (--rate) are not up to 1 ms late. Input arriving in that short
   * sleep waits for its end.
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
      if ((ops & SelectionKey.OP_CONNECT) != 0) poolSetup.finishConnect(c);
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
    poolSetup.closing(c);
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

  static boolean startsWith(byte[] b, int off, int len, byte[] what) {
    return len >= what.length && Arrays.equals(b, off, off + what.length, what, 0, what.length);
  }
}
