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
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A plain blocking TCP client for end-to-end tests: send lines or raw bytes, read server lines with
 * a deadline. Every wait has a deadline; nothing sleeps. {@link #tls} makes one that talks through
 * TLS.
 */
public final class LineClient implements AutoCloseable {
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

  private final Socket socket;

  /** The TCP socket under a TLS one (the same socket for a plain client). */
  private final Socket tcp;

  private final InputStream in;
  private final OutputStream out;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private boolean eof;

  public LineClient(int port) throws IOException {
    this(port, null);
  }

  /**
   * Connects from the given local address, e.g. 127.0.0.2: all of 127.0.0.0/8 is loopback on Linux,
   * so one machine can play clients of several addresses.
   */
  public LineClient(int port, String localAddress) throws IOException {
    this(tcp(port, localAddress), null);
  }

  private LineClient(Socket socket, Socket tcp) throws IOException {
    this.socket = socket;
    this.tcp = tcp == null ? socket : tcp;
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  private static Socket tcp(int port, String localAddress) throws IOException {
    Socket socket = new Socket();
    socket.setTcpNoDelay(true);
    if (localAddress != null) socket.bind(new InetSocketAddress(localAddress, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return socket;
  }

  /**
   * Connects to a TLS listener and completes the handshake, trusting what {@code context} trusts
   * and checking the certificate against 127.0.0.1; {@code protocols} narrows the versions offered.
   */
  public static LineClient tls(int port, SSLContext context, String... protocols)
      throws IOException {
    return tlsOver(tcp(port, null), port, context, protocols);
  }

  /** {@link #tls} over a TCP socket of the caller's (one with Nagle's algorithm on, say). */
  public static LineClient tlsOver(Socket tcp, int port, SSLContext context, String... protocols)
      throws IOException {
    SSLSocket ssl =
        (SSLSocket) context.getSocketFactory().createSocket(tcp, "127.0.0.1", port, true);
    SSLParameters parameters = ssl.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    if (protocols.length > 0) parameters.setProtocols(protocols);
    ssl.setSSLParameters(parameters);
    ssl.setSoTimeout((int) DEFAULT_WAIT.toMillis());
    try {
      ssl.startHandshake();
    } catch (IOException e) {
      ssl.close();
      throw e;
    }
    return new LineClient(ssl, tcp);
  }

  /** The TLS version in use ("TLSv1.3"), or null for a plain client. */
  public String tlsProtocol() {
    return socket instanceof SSLSocket ssl ? ssl.getSession().getProtocol() : null;
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
      } catch (SocketException | SSLException e) {
        n = -1; // reset (a TLS socket may report it as an SSLException)
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

  /** Closes with an RST instead of a FIN (without TLS's close_notify either). */
  public void reset() throws IOException {
    tcp.setSoLinger(true, 0);
    tcp.close();
  }

  /** Closes the sending side only: a FIN, after TLS's close_notify on a TLS client. */
  public void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
