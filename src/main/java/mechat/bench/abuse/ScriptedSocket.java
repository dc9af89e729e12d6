package mechat.bench.abuse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import mechat.protocol.LineDecoder;

/**
 * The blocking socket of one abusive client ({@code bench abuse}), driven step by step by an
 * episode's script on its own thread: every read bounded by a timeout, and every line the server
 * sends checked on arrival. (The load generator's {@code mechat.bench.load.PooledClient} is the
 * opposite: non-blocking, one of many on a shared selector.)
 *
 * <p>A server line must be valid UTF-8 without control characters (protocol §1: the server never
 * forwards one) and short; anything else is a {@link Abuse.Violation}. The driver may close the
 * socket from another thread, at the end of the run or when an episode is stuck; the episode then
 * fails with an IOException.
 */
final class ScriptedSocket implements AutoCloseable {
  /** Far more than any line the server sends (a name, ": " and a line of max-line-bytes). */
  static final int MAX_LINE = 64 * 1024;

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] buf = new byte[2 * MAX_LINE];
  private int start;
  private int end;
  private boolean eof;

  /**
   * Connects. {@code receiveBuffer} > 0 sets SO_RCVBUF before connecting (so the TCP window is
   * small from the start): a client that never reads then stalls the server quickly.
   */
  ScriptedSocket(InetSocketAddress address, int receiveBuffer) throws IOException {
    socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
      socket.connect(address, (int) CONNECT_TIMEOUT.toMillis());
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  void send(String line) throws IOException {
    write((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  void write(byte[] bytes) throws IOException {
    write(bytes, 0, bytes.length);
  }

  void write(byte[] bytes, int off, int len) throws IOException {
    out.write(bytes, off, len);
    out.flush();
  }

  /** No line arrived in time. */
  static final class Timeout extends Abuse.Violation {
    Timeout(String message) {
      super(message);
    }
  }

  /**
   * The next line (without LF, CR kept), or null when the server closed the connection. Throws
   * {@link Timeout} when none arrives in time.
   */
  String readLine(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (int i = start; i < end; i++) {
        if (buf[i] == '\n') {
          String line = checked(start, i - start);
          start = i + 1;
          return line;
        }
      }
      if (end - start > MAX_LINE) {
        throw new Abuse.Violation("the server sent a line longer than " + MAX_LINE + " bytes");
      }
      if (eof) {
        if (end > start) {
          throw new Abuse.Violation(
              "the connection ended inside a line: '" + show(start, end - start) + "'");
        }
        return null;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new Timeout("no answer from the server within " + timeout.toSeconds() + " s");
      }
      fill(left);
    }
  }

  /** The next line, which must exist (the server must not close now). */
  String expectAnyLine(Duration timeout, String waitingFor) throws IOException {
    String line = readLine(timeout);
    if (line == null) {
      throw new Abuse.Violation("the server closed the connection while " + waitingFor);
    }
    return line;
  }

  /** The next line must be exactly {@code expected}. */
  void expectLine(String expected, Duration timeout) throws IOException {
    String line = expectAnyLine(timeout, "waiting for '" + expected + "'");
    if (!line.equals(expected)) {
      throw new Abuse.Violation("expected '" + expected + "', got '" + line + "'");
    }
  }

  /** Reads lines until the server closes the connection; returns how many there were. */
  int readToEof(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int lines = 0;
    try {
      while (readLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))) != null) {
        lines++;
      }
    } catch (Timeout t) {
      throw new Abuse.Violation(
          "the server did not close the connection within " + timeout.toSeconds() + " s");
    } catch (java.net.SocketException e) {
      // a reset is a close too
    }
    return lines;
  }

  private void fill(long timeoutNanos) throws IOException {
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      start = 0;
    }
    socket.setSoTimeout((int) Math.max(1, timeoutNanos / 1_000_000));
    int n;
    try {
      n = in.read(buf, end, buf.length - end);
    } catch (SocketTimeoutException e) {
      return; // the caller checks its deadline
    }
    if (n < 0) eof = true;
    else end += n;
  }

  /** Protocol §1: what the server sends is UTF-8 text without control characters (TAB allowed). */
  private String checked(int off, int len) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(buf, off, len))
              .toString();
    } catch (CharacterCodingException e) {
      throw new Abuse.Violation(
          "the server sent a line that is not UTF-8: '" + show(off, len) + "'");
    }
    if (LineDecoder.hasControlCharacter(text)) {
      throw new Abuse.Violation("the server sent a control character: '" + show(off, len) + "'");
    }
    return text;
  }

  /** A printable excerpt for messages: at most 80 bytes, anything unusual as \\xNN. */
  private String show(int off, int len) {
    StringBuilder sb = new StringBuilder();
    for (byte b : Arrays.copyOfRange(buf, off, off + Math.min(len, 80))) {
      if (b >= 0x20 && b < 0x7f) sb.append((char) b);
      else sb.append(String.format("\\x%02x", b & 0xff));
    }
    return len > 80 ? sb + "..." : sb.toString();
  }

  /** Closes the sending side only (TCP FIN); reading goes on. */
  void halfClose() throws IOException {
    socket.shutdownOutput();
  }

  /** Closes with a TCP reset (SO_LINGER 0) instead of a FIN. */
  void reset() {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException e) {
      // already closed: nothing to reset
    }
    close();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing is all we wanted
    }
  }
}
