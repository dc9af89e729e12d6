package mechat.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Everything one client read from the server, and whether its output has ended. Thread-safe. */
final class Transcript {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private int lines;
  private boolean ended;
  private Throwable failure;

  synchronized void add(byte[] chunk) {
    bytes.write(chunk, 0, chunk.length);
    for (byte b : chunk) if (b == '\n') lines++;
    notifyAll();
  }

  synchronized void end(Throwable failure) {
    ended = true;
    this.failure = failure;
    notifyAll();
  }

  /** Waits (on the condition, never a sleep) until {@code n} lines are in or the output ended. */
  synchronized boolean awaitLines(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (lines < n && !ended) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return false;
      wait(Math.max(1, left / 1_000_000));
    }
    return lines >= n;
  }

  synchronized boolean awaitEnd(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ended) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return false;
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  synchronized boolean ended() {
    return ended;
  }

  synchronized Throwable failure() {
    return failure;
  }

  /** The complete lines; a line that is not UTF-8 is shown escaped, marked with "<not UTF-8>". */
  synchronized List<String> lines() {
    byte[] all = bytes.toByteArray();
    List<String> out = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] != '\n') continue;
      byte[] line = Arrays.copyOfRange(all, from, i);
      try {
        out.add(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(line)).toString());
      } catch (CharacterCodingException e) {
        out.add("<not UTF-8> " + Inputs.show(line));
      }
      from = i + 1;
    }
    return out;
  }

  /** Bytes after the last LF: a line the server never finished. */
  synchronized byte[] unterminated() {
    byte[] all = bytes.toByteArray();
    int lf = all.length - 1;
    while (lf >= 0 && all[lf] != '\n') lf--;
    return Arrays.copyOfRange(all, lf + 1, all.length);
  }

  @Override
  public synchronized String toString() {
    return lines() + (ended ? " <ended" + (failure == null ? "" : " " + failure) + ">" : "");
  }
}
