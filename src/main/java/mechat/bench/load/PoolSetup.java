package mechat.bench.load;

import static mechat.bench.load.ClientPool.ascii;
import static mechat.bench.load.ClientPool.describe;
import static mechat.bench.load.ClientPool.earlier;
import static mechat.bench.load.ClientPool.startsWith;
import static mechat.bench.load.ClientPool.text;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import mechat.protocol.Notices;

/**
 * Gets the clients of a {@link ClientPool} connected, registered and matched: connects them with a
 * bounded number in flight, registers a unique name for each, and follows {@code wait}, {@code
 * matched to NAME} and {@code partner left} until each one is matched (or merely registered). A
 * client learns its partner from the notice: the name must be another client of the pool.
 *
 * <p>Everything here runs on the pool's selector thread; the pool hands over the lines of every
 * client that is not matched yet, and the outcome of every connection attempt.
 */
final class PoolSetup {
  private static final byte[] WAIT = ascii(Notices.WAIT);
  private static final byte[] MATCHED_TO = ascii(Notices.MATCHED_TO_PREFIX);
  private static final byte[] PARTNER_LEFT = ascii(Notices.PARTNER_LEFT);
  private static final byte[] CHAT_SEPARATOR = ascii(mechat.protocol.ChatLine.SEPARATOR);

  private final ClientPool pool;
  private final PooledClient[] conns;
  private final Selector selector;
  private final List<InetSocketAddress> addresses;
  private final int concurrency;
  private final String namePrefix;
  private final byte[] namePrefixBytes;
  private final PrintWriter err;

  private int nextConnect;
  private int inflight; // connecting or registering
  private int connected;
  private int registered;
  private int matched;
  private int foreign; // matches with clients outside this run, waited out

  PoolSetup(
      ClientPool pool,
      Selector selector,
      List<InetSocketAddress> addresses,
      int concurrency,
      PrintWriter err) {
    this.pool = pool;
    this.conns = pool.conns;
    this.selector = selector;
    this.addresses = List.copyOf(addresses);
    this.concurrency = concurrency;
    this.err = err;
    this.namePrefix = uniquePrefix();
    this.namePrefixBytes = ascii(namePrefix);
  }

  /**
   * "mb" + this process + a random tag + "-": unique on the server even when several bench runs (or
   * several runs inside one JVM, as in the tests) share it. With the index it stays well under the
   * 30 characters a name may have (protocol §3).
   */
  private static String uniquePrefix() {
    String pid = Long.toString(ProcessHandle.current().pid(), 36);
    String tag =
        Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
    return "mb" + pid + tag + "-";
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

  /** How often a client was matched to a client outside this run (and waited for it to leave). */
  int foreign() {
    return foreign;
  }

  /**
   * Connects and registers every client, then waits until each one is matched ({@code needMatch})
   * or merely registered ({@code wait} or {@code matched to}).
   */
  ClientPool.Setup run(boolean needMatch, long deadline, Progress progress) throws IOException {
    pumpConnects();
    while (true) {
      if (pool.failure() != null) return ClientPool.Setup.FAILED;
      if ((needMatch ? matched : registered) >= conns.length) {
        if (foreign > 0) {
          err.println(
              "bench: waited out "
                  + foreign
                  + " matches with clients outside this run"
                  + " (leftovers of an earlier run?)");
          err.flush();
        }
        return ClientPool.Setup.DONE;
      }
      long now = System.nanoTime();
      if (now - deadline >= 0) return ClientPool.Setup.TIMED_OUT;
      if (progress.due(now)) progress.print(status());
      pool.poll(earlier(deadline, progress.next()), false);
      pumpConnects();
    }
  }

  String status() {
    return String.format(
            "connected %d, registered %d, matched %d of %d",
            connected, registered, matched, conns.length)
        + (foreign > 0 ? ", " + foreign + " matches with clients outside this run" : "");
  }

  /** Starts connections while fewer than {@code concurrency} are connecting or registering. */
  private void pumpConnects() {
    while (nextConnect < conns.length && inflight < concurrency && pool.failure() == null) {
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
      boolean done = ch.connect(addressOf(c));
      c.key = ch.register(selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
      if (done) onConnected(c);
    } catch (IOException e) {
      pool.fail("cannot connect client " + c.index + " to " + addressOf(c) + ": " + describe(e));
      pool.close(c);
    }
  }

  /** Client i's server: the i-th mod n of the addresses (a cluster's nodes). */
  InetSocketAddress addressOf(PooledClient c) {
    return addresses.get(c.index % addresses.size());
  }

  /** How many matched pairs have their two clients on different addresses. */
  int pairsSpanningAddresses() {
    int spanning = 0;
    for (PooledClient c : conns) {
      if (c.partner > c.index && c.index % addresses.size() != c.partner % addresses.size()) {
        spanning++;
      }
    }
    return spanning;
  }

  /** The selector reports a connection attempt done: established, or failed. */
  void finishConnect(PooledClient c) {
    try {
      c.channel.finishConnect();
    } catch (IOException e) {
      pool.fail("cannot connect client " + c.index + " to " + addressOf(c) + ": " + describe(e));
      pool.close(c);
      return;
    }
    c.key.interestOps(SelectionKey.OP_READ);
    onConnected(c);
  }

  private void onConnected(PooledClient c) {
    connected++;
    c.state = PooledClient.State.REGISTERING;
    byte[] line = ascii(name(c.index) + "\n");
    int at = c.reserve(line.length, pool.outCapacity());
    System.arraycopy(line, 0, c.out, at, line.length);
    c.commit(line.length);
    pool.flush(c);
  }

  /** A line for a client that is not matched yet (or matched to a stranger). */
  void onLine(PooledClient c, byte[] b, int off, int len) {
    switch (c.state) {
      case REGISTERING:
        if (equals(b, off, len, WAIT)) {
          registered(c);
        } else if (startsWith(b, off, len, MATCHED_TO)) {
          registered(c);
          onMatched(c, b, off + MATCHED_TO.length, len - MATCHED_TO.length);
        } else {
          pool.unexpected(c, b, off, len);
          pool.fail("registration of client " + c.index + " refused: '" + text(b, off, len) + "'");
        }
        break;
      case WAITING:
        if (startsWith(b, off, len, MATCHED_TO)) {
          onMatched(c, b, off + MATCHED_TO.length, len - MATCHED_TO.length);
        } else if (!equals(b, off, len, WAIT)) { // "wait" again after a foreign partner left
          pool.unexpected(c, b, off, len);
        }
        break;
      case FOREIGN:
        if (equals(b, off, len, PARTNER_LEFT)) {
          // the server requeues us: "wait" or "matched to" follows
          c.state = PooledClient.State.WAITING;
        } else if (indexOf(b, off, len, CHAT_SEPARATOR) < 0) {
          // a notice; what the stranger says is none of our business
          pool.unexpected(c, b, off, len);
        }
        break;
      default:
        pool.unexpected(c, b, off, len);
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
    if (startsWith(b, off, len, namePrefixBytes)
        && len > namePrefixBytes.length
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
      pool.note(c, "matched to a client outside this run, waiting for it to leave", b, off, len);
      c.state = PooledClient.State.FOREIGN;
      return;
    }
    if (partner >= conns.length || partner == c.index) {
      pool.unexpected(c, b, off, len);
      pool.fail("client " + c.index + " was matched to '" + text(b, off, len) + "'");
      return;
    }
    c.partner = partner;
    c.state = PooledClient.State.MATCHED;
    matched++;
  }

  /** {@code c} is being closed: if it was connecting or registering, its slot is free. */
  void closing(PooledClient c) {
    if (c.state == PooledClient.State.CONNECTING || c.state == PooledClient.State.REGISTERING) {
      inflight--;
    }
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
}
