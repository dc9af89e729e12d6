package mechat.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Floods a server from one client until it stops reading (back-pressure, §5.4): a writer thread
 * blocks in {@code write} once the server holds the client back, and the flood ends after 2 s
 * without progress, or at a cap.
 */
public final class Flood {
  private Flood() {}

  /** Numbered 1000-byte lines, each recorded once written; returns the bytes written. */
  public static long untilStalled(LineClient c, ByteArrayOutputStream record, long cap)
      throws Exception {
    c.socket().setSendBufferSize(64 * 1024);
    return flood(
        c,
        i ->
            (String.format("%07d ", i) + "x".repeat(992) + "\n")
                .getBytes(StandardCharsets.US_ASCII),
        record,
        cap);
  }

  /** The same chunk again and again; returns the bytes written. */
  public static long raw(LineClient c, byte[] chunk, long cap) throws Exception {
    return flood(c, i -> chunk, null, cap);
  }

  private static long flood(
      LineClient c, IntFunction<byte[]> next, ByteArrayOutputStream record, long cap)
      throws Exception {
    OutputStream out = c.socket().getOutputStream();
    AtomicLong written = new AtomicLong();
    Thread writer =
        new Thread(
            () -> {
              try {
                for (int i = 0; written.get() < cap; i++) {
                  byte[] bytes = next.apply(i);
                  out.write(bytes); // blocks once the server stops reading
                  if (record != null) {
                    synchronized (record) {
                      record.write(bytes);
                    }
                  }
                  written.addAndGet(bytes.length);
                }
              } catch (Exception closed) {
                // the socket is closed by the test's cleanup
              }
            });
    writer.setDaemon(true);
    writer.start();
    long last = -1;
    long stableSince = System.nanoTime();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline && written.get() < cap) {
      long now = written.get();
      if (now != last) {
        last = now;
        stableSince = System.nanoTime();
      } else if (System.nanoTime() - stableSince > Duration.ofSeconds(2).toNanos()) {
        break; // no progress for 2 s: the server has stopped reading
      }
      LockSupport.parkNanos(50_000_000);
    }
    // a writer blocked inside write() has not counted or recorded its last chunk
    return written.get();
  }
}
