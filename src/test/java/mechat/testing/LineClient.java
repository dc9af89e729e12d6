package mechat.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plain blocking TCP client for end-to-end tests: send lines or raw bytes, read server lines
 * with a deadline. Every wait has a deadline; nothing sleeps.
 */
public final class LineClient implements AutoCloseable {
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private boolean eof;

  public LineClient(int port) throws IOException {
    this(port, null);
  }

  /**
   * Connects from the given local address, e.g. 127.0.0.2: all of 127.0.0.0/8 is loopback on
   * Linux, so one machine can play clients of several addresses.
   */
  public LineClient(int port, String localAddress) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    if (localAddress != null) socket.bind(new InetSocketAddress(localAddress, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Connects and proposes a name. */
  public static LineClient named(int port, String name) throws IOException {
    LineClient c = new LineClient(port);
    c.send(name);
    return c;
  }

  public Socket socket() {
    return socket;
  }

  public void send(String line) throws IOException {
    raw((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public void raw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** The next line (without LF), or null on EOF or when the wait runs out. */
  public String readLine(Duration wait) throws IOException {
    byte[] line = readLineBytes(wait);
    return line == null ? null : new String(line, StandardCharsets.UTF_8);
  }

  public byte[] readLineBytes(Duration wait) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      byte[] buf = pending.toByteArray();
      for (int i = 0; i < buf.length; i++) {
        if (buf[i] == '\n') {
          byte[] line = java.util.Arrays.copyOfRange(buf, 0, i);
          pending.reset();
          pending.write(buf, i + 1, buf.length - i - 1);
          return line;
        }
      }
      if (eof) return null;
      long left = deadline - System.nanoTime();
      if (left <= 0) return null;
      socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
      byte[] chunk = new byte[65536];
      int n;
      try {
        n = in.read(chunk);
      } catch (SocketTimeoutException e) {
        return null;
      } catch (SocketException e) {
        n = -1; // reset
      }
      if (n < 0) {
        eof = true;
      } else {
        pending.write(chunk, 0, n);
      }
    }
  }

  public String readLine() throws IOException {
    return readLine(DEFAULT_WAIT);
  }

  /** Asserts that the next line is exactly {@code expected}. */
  public void expect(String expected) throws IOException {
    assertEquals(expected, readLine(), "next line from the server");
  }

  public void expect(String expected, Duration wait) throws IOException {
    assertEquals(expected, readLine(wait), "next line from the server");
  }

  /** Asserts that nothing arrives within {@code wait} (a short quiet period, not a sync point). */
  public void expectSilence(Duration wait) throws IOException {
    String line = readLine(wait);
    if (line != null) fail("expected no line, got: " + line);
  }

  /** Asserts that the server closes the connection (EOF) with no further line. */
  public void expectClosed() throws IOException {
    String line = readLine(DEFAULT_WAIT);
    if (line != null) fail("expected the connection to close, got: " + line);
    if (!eof) fail("connection still open after " + DEFAULT_WAIT);
  }

  public boolean isEof() {
    return eof;
  }

  /** Closes with an RST instead of a FIN. */
  public void reset() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
