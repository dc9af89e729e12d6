package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mechat.server.ChatServer;
import mechat.testing.LineClient;
import org.junit.jupiter.api.Test;

/**
 * Protocol §5.3 under load: 200 concurrent pairs, each side sending 200 sequence-numbered lines
 * while the other does the same; every line checked for loss, duplication, order and corruption.
 */
class LoadIT extends EndToEnd {
  private static final int PAIRS = 200;
  private static final int LINES = 200;

  @Test
  void s5_3_200PairsEachSending200LinesBothWaysLoseReorderAndCorruptNothing() throws Exception {
    ChatServer s = server();
    List<LineClient> clients = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < PAIRS; i++) {
      String a = "a" + i;
      String b = "b" + i;
      LineClient[] p = pair(s, a, b); // sequential: pairs are known, FIFO
      clients.add(p[0]);
      names.add(a);
      clients.add(p[1]);
      names.add(b);
    }
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(clients.size());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      LineClient self = clients.get(i);
      String me = names.get(i);
      String partner = names.get(i ^ 1);
      Thread writer =
          new Thread(
              () -> {
                try {
                  StringBuilder all = new StringBuilder();
                  for (int n = 0; n < LINES; n++) all.append(line(me, n)).append('\n');
                  self.raw(all.toString().getBytes(StandardCharsets.UTF_8));
                } catch (Exception e) {
                  problems.add(me + " write: " + e);
                }
              });
      Thread reader =
          new Thread(
              () -> {
                try {
                  for (int n = 0; n < LINES; n++) {
                    String got = self.readLine(Duration.ofSeconds(60));
                    String want = partner + ": " + line(partner, n);
                    if (!want.equals(got)) {
                      problems.add(
                          me + " line " + n + ": expected [" + want + "] got [" + got + "]");
                      return;
                    }
                  }
                  String extra = self.readLine(Duration.ofMillis(1));
                  if (extra != null) problems.add(me + " extra line: " + extra);
                } catch (Exception e) {
                  problems.add(me + " read: " + e);
                } finally {
                  done.countDown();
                }
              });
      threads.add(writer);
      threads.add(reader);
    }
    threads.forEach(Thread::start);
    assertTrue(done.await(180, TimeUnit.SECONDS), "not every client got its lines in time");
    for (Thread t : threads) t.join(10_000);
    assertTrue(problems.isEmpty(), problems.size() + " problems, first: " + problems.peek());
    assertEquals(PAIRS * 2, clients.size());
  }

  /** Sequence number, sender and a filler that depends on both: any corruption shows. */
  private static String line(String sender, int n) {
    String seq = String.format("%05d", n);
    int h = (sender + seq).hashCode();
    return seq
        + " "
        + sender
        + " "
        + Integer.toHexString(h)
        + " "
        + "\u00e9x".repeat(1 + Math.floorMod(h, 20));
  }
}
