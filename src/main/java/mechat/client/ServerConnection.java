package mechat.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import mechat.transport.TlsContexts;

/**
 * The client's TCP connection, plain or inside TLS (protocol §1, §9): UTF-8 lines terminated by LF
 * in both directions. One thread may read while others send; sends are serialised.
 */
public final class ServerConnection implements AutoCloseable {
  /** Far above any line the server sends (a name and a 4096-byte message); the rest is dropped. */
  static final int MAX_LINE_BYTES = 1 << 20;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] chunk = new byte[8192];
  private int chunkStart;
  private int chunkEnd;

  private ServerConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** A TLS handshake that failed, explained in one line for the person. */
  public static final class HandshakeFailedException extends IOException {
    HandshakeFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public static ServerConnection connect(String host, int port, Duration timeout)
      throws IOException {
    return connect(host, port, timeout, Optional.empty());
  }

  /**
   * Connects, and with a TLS context also runs the handshake (within {@code timeout}, checking the
   * server's certificate against {@code host}) before it returns; a failed handshake is a {@link
   * HandshakeFailedException}.
   */
  public static ServerConnection connect(
      String host, int port, Duration timeout, Optional<SSLContext> tls) throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    if (tls.isEmpty()) return new ServerConnection(socket);
    try {
      return new ServerConnection(
          TlsContexts.clientHandshake(tls.get(), socket, host, port, timeout));
    } catch (IOException e) {
      throw new HandshakeFailedException(explain(e, host, port, timeout), e);
    }
  }

  private static String explain(IOException e, String host, int port, Duration timeout) {
    if (e instanceof SocketTimeoutException) {
      return "no TLS handshake within " + timeout.toSeconds() + " s: is " + port + " a TLS port?";
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
        return "the server's certificate is not trusted"
            + " (for a self-signed server, give its certificate with --tls-ca FILE)";
      }
      if (t instanceof CertificateException
          && String.valueOf(t.getMessage()).matches("No (subject alternative|name).*")) {
        return "the server's certificate is not valid for " + host + ": " + t.getMessage();
      }
    }
    if (String.valueOf(e.getMessage()).contains("nrecognized SSL message")) {
      return "the server does not speak TLS: is " + port + " a TLS port?";
    }
    return "TLS handshake failed: " + e.getMessage();
  }

  /** The TLS version in use, or empty for a plain connection. */
  public Optional<String> tlsProtocol() {
    return socket instanceof SSLSocket ssl
        ? Optional.of(ssl.getSession().getProtocol())
        : Optional.empty();
  }

  /** Sends one line; the LF is added here. */
  public synchronized void send(String line) throws IOException {
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /**
   * The next server line without its LF (and without a CR before it), or null once the server has
   * closed the connection. Blocks; call from one thread only.
   */
  public String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    while (true) {
      if (chunkStart == chunkEnd && !fill()) {
        return null; // a line cut short by EOF is not a line
      }
      for (int i = chunkStart; i < chunkEnd; i++) {
        if (chunk[i] == '\n') {
          append(line, chunkStart, i);
          chunkStart = i + 1;
          return decode(line.toByteArray());
        }
      }
      append(line, chunkStart, chunkEnd);
      chunkStart = chunkEnd;
    }
  }

  private void append(ByteArrayOutputStream line, int from, int to) {
    int room = MAX_LINE_BYTES - line.size();
    line.write(chunk, from, Math.max(0, Math.min(room, to - from)));
  }

  private boolean fill() throws IOException {
    int n;
    try {
      n = in.read(chunk);
    } catch (SocketException e) {
      if (socket.isClosed()) return false; // closed by us: the end we asked for
      throw e;
    }
    if (n < 0) return false;
    chunkStart = 0;
    chunkEnd = n;
    return true;
  }

  private static String decode(byte[] bytes) {
    int n = bytes.length;
    if (n > 0 && bytes[n - 1] == '\r') n--;
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }
}
