package mechat.bench.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A deliberately broken chat relay for tests: pairs clients in the order they register (the first
 * of two gets "wait", then both "matched to OTHER"), relays "SENDER: TEXT", and in each direction
 * spoils every {@code every}-th line with its {@link Fault}. Blocking sockets and a thread per
 * direction: it serves a handful of clients, and simplicity makes it obviously right.
 */
final class FaultyRelay implements AutoCloseable {
  enum Fault {
    DROP,
    DUPLICATE,
    CORRUPT,
    SWAP, // with the line after it
    LEAVE // says "partner left" instead, then relays nothing more that way
  }

  private final Fault fault;
  private final int every;
  private final ServerSocket listener;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private Peer waiting;

  private record Peer(String name, Socket socket, InputStream in, OutputStream out) {}

  FaultyRelay(Fault fault, int every) throws IOException {
    this.fault = fault;
    this.every = every;
    this.listener = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
    thread("relay-accept", this::acceptLoop).start();
  }

  int port() {
    return listener.getLocalPort();
  }

  private void acceptLoop() {
    try {
      while (true) {
        Socket s = listener.accept();
        s.setTcpNoDelay(true);
        sockets.add(s);
        Peer p =
            new Peer(
                null,
                s,
                new BufferedInputStream(s.getInputStream()),
                new BufferedOutputStream(s.getOutputStream()));
        byte[] name = readLine(p.in());
        if (name == null) continue;
        register(new Peer(new String(name, StandardCharsets.UTF_8), s, p.in(), p.out()));
      }
    } catch (IOException e) {
      // closed: the test is over
    }
  }

  private void register(Peer p) throws IOException {
    if (waiting == null) {
      waiting = p;
      send(p.out(), "wait");
      return;
    }
    Peer a = waiting;
    waiting = null;
    send(a.out(), "matched to " + p.name());
    send(p.out(), "matched to " + a.name());
    thread("relay-" + a.name(), () -> relay(a, p)).start();
    thread("relay-" + p.name(), () -> relay(p, a)).start();
  }

  /** Everything {@code from} says, to {@code to}, spoiled now and then. */
  private void relay(Peer from, Peer to) {
    byte[] prefix = (from.name() + ": ").getBytes(StandardCharsets.UTF_8);
    long n = 0;
    byte[] held = null;
    try {
      byte[] line;
      while ((line = readLine(from.in())) != null) {
        n++;
        boolean spoil = n % every == 0;
        if (spoil && fault == Fault.DROP) continue;
        if (spoil && fault == Fault.LEAVE) {
          send(to.out(), "partner left");
          return;
        }
        if (spoil && fault == Fault.SWAP) {
          held = line;
          continue;
        }
        if (spoil && fault == Fault.CORRUPT) {
          int last = line.length - 1;
          line[last] = (byte) (line[last] == '~' ? '}' : line[last] + 1);
        }
        write(to.out(), prefix, line);
        if (spoil && fault == Fault.DUPLICATE) write(to.out(), prefix, line);
        if (held != null) {
          write(to.out(), prefix, held);
          held = null;
        }
        if (from.in().available() == 0) to.out().flush();
      }
    } catch (IOException e) {
      // a side closed
    }
  }

  private static void write(OutputStream out, byte[] prefix, byte[] line) throws IOException {
    out.write(prefix);
    out.write(line);
    out.write('\n');
  }

  private static void send(OutputStream out, String line) throws IOException {
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** A line without its LF, or null at the end of the stream. */
  private static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') return line.toByteArray();
      line.write(b);
    }
    return null;
  }

  private static Thread thread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) s.close();
  }
}
