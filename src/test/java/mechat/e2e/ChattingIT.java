package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import mechat.server.ChatServer;
import mechat.testing.Flood;
import mechat.testing.LineClient;
import mechat.testing.LogCapture;
import mechat.testing.TestServers;
import org.junit.jupiter.api.Test;

/** Protocol §5: chatting, order, the leaver's last lines, back-pressure, rate limit. */
class ChattingIT extends EndToEnd {

  @Test
  void s5_1_s5_2_bothSidesChatAtAnyTimeTextExactlyAsSent() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    p[0].send("hello there");
    p[1].send("hi: with colon-space"); // bob does not wait for alice
    p[1].expect("alice: hello there");
    p[0].expect("bob: hi: with colon-space");
    p[0].send("  spaces kept\t");
    p[1].expect("alice:   spaces kept\t");
    p[0].send("caf\u00e9 \u65e5\u672c \uD83D\uDE00");
    p[1].expect("alice: caf\u00e9 \u65e5\u672c \uD83D\uDE00");
  }

  @Test
  void s5_1_emptyAndBlankLinesAreIgnored() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    p[0].send("");
    p[0].send("  \t ");
    p[0].send("after blanks");
    p[1].expect("alice: after blanks"); // the blank lines produced nothing before it
    p[0].expectSilence(Duration.ofMillis(200)); // nor any answer to the sender
  }

  @Test
  void s5_3_everyLineBeforeQuitArrivesBeforePartnerLeft() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    p[0].send("last words");
    p[0].send("/quit");
    p[0].expect("bye");
    p[0].expectClosed();
    p[1].expect("alice: last words");
    p[1].expect("partner left");
    p[1].expect("wait");
    LineClient carl = named(s, "carl");
    carl.expect("matched to bob"); // after partner left, bob rejoined the queue by itself
    p[1].expect("matched to carl");
  }

  @Test
  void s5_3_everyLineBeforeNextArrivesBeforePartnerLeft() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    StringBuilder burst = new StringBuilder();
    for (int i = 0; i < 500; i++) burst.append("n").append(i).append('\n');
    burst.append("/next\n");
    p[0].raw(burst.toString().getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 500; i++) p[1].expect("alice: n" + i);
    p[1].expect("partner left");
  }

  @Test
  void s5_3_s7_everyLineBeforeADisconnectArrivesBeforePartnerLeft() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    p[0].raw(burst(2000));
    p[0].close(); // FIN right after the data
    for (int i = 0; i < 2000; i++) p[1].expect("alice: m" + i);
    p[1].expect("partner left");
    p[1].expect("wait");
  }

  @Test
  void s5_3_s7_linesTheServerReadBeforeAResetArriveBeforePartnerLeft() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    p[0].raw(burst(200));
    p[1].expect("alice: m0"); // the server has read (at least the start of) the burst
    p[0].reset(); // RST
    // The lines the server read arrive in order, then partner left; lines still in the
    // kernel's receive queue when the RST came may be lost with it, never reordered.
    int next = 1;
    String line;
    while ((line = p[1].readLine()) != null && line.startsWith("alice: m")) {
      assertEquals("alice: m" + next, line, "order");
      next++;
    }
    assertEquals("partner left", line);
    p[1].expect("wait");
  }

  @Test
  void s5_3_s7_aHalfCloseIsLeaving() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    p[0].send("bye from a half-closed socket");
    p[0].socket().shutdownOutput();
    p[1].expect("alice: bye from a half-closed socket");
    p[1].expect("partner left");
  }

  @Test
  void s5_4_aReaderThatStopsReadingHoldsItsSenderBackAndLosesNothing() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    long stalledAfter = Flood.untilStalled(p[0], sent, 64 << 20);
    assertTrue(stalledAfter < (64 << 20), "server kept reading: " + stalledAfter + " bytes");
    // bob now reads everything, in order and intact
    String[] lines = sent.toString(StandardCharsets.UTF_8).split("\n");
    int complete =
        sent.toString(StandardCharsets.UTF_8).endsWith("\n") ? lines.length : lines.length - 1;
    for (int i = 0; i < complete; i++) p[1].expect("alice: " + lines[i]);
  }

  @Test
  void s5_4_aClientThatProvokesAnswersButReadsNoneIsHeldBackToo() throws Exception {
    ChatServer s = server();
    LineClient spammer = named(s, "spammer");
    spammer.expect("wait");
    byte[] chunk = "x\n".repeat(32768).getBytes(StandardCharsets.US_ASCII);
    long sent = Flood.raw(spammer, chunk, 256 << 20);
    assertTrue(sent < (256 << 20), "server kept reading from a client that reads nothing");
  }

  @Test
  void s5_4_aPartnerThatReadsNothingIsDroppedAfterTheSlowReaderTimeout() throws Exception {
    ChatServer t = server(TestServers.settings("slow-reader-timeout = 1s"));
    // The sender must read and write at once: a non-blocking channel. The reader is a
    // LineClient that reads its greeting and then nothing.
    try (SocketChannel a = SocketChannel.open(new InetSocketAddress("127.0.0.1", t.port()));
        LineClient b = new LineClient(t.port());
        Selector selector = Selector.open()) {
      a.write(ByteBuffer.wrap("fast\n".getBytes(StandardCharsets.US_ASCII)));
      assertEquals("wait\n", readExactly(a, 5));
      b.send("stuck");
      b.expect("matched to fast");
      assertEquals("matched to stuck\n", readExactly(a, 17));
      a.configureBlocking(false);
      a.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      ByteBuffer chunk =
          ByteBuffer.wrap(("y".repeat(999) + "\n").repeat(64).getBytes(StandardCharsets.US_ASCII));
      ByteBuffer in = ByteBuffer.allocate(1 << 16);
      StringBuilder received = new StringBuilder();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!received.toString().contains("partner left\n") && System.nanoTime() < deadline) {
        selector.select(200);
        for (SelectionKey k : selector.selectedKeys()) {
          if (k.isWritable()) {
            if (!chunk.hasRemaining()) chunk.rewind();
            a.write(chunk);
          }
          if (k.isReadable()) {
            in.clear();
            if (a.read(in) < 0) break;
            received.append(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
          }
        }
        selector.selectedKeys().clear();
      }
      assertTrue(received.toString().startsWith("partner left\n"), "sender got: " + received);
      // and the slow reader was disconnected: reading on, it reaches the end of the stream
      assertTrue(drainsToEof(b), "the slow reader is still connected");
    }
  }

  @Test
  void s5_4_s7_aReaderThatTakesNothingDoesNotHoldTheShutdownBack() throws Exception {
    ChatServer s = server(); // the default slow-reader timeout, 60 s: longer than the drain
    try (LogCapture logs = LogCapture.start()) {
      LineClient[] p = pair(s, "alice", "bob");
      long sent = Flood.untilStalled(p[0], new ByteArrayOutputStream(), 64 << 20);
      assertTrue(sent < (64 << 20), "bob's output never filled up");
      s.stop(Duration.ofSeconds(20));
      // bob could not take his goodbye; he is cut so that the drain ends on its own, not by
      // giving up on everyone left (the phase timeout, 5 s)
      String logged =
          logs.events().stream()
              .map(e -> e.getFormattedMessage())
              .reduce("", (a, b) -> a + b + "\n");
      assertTrue(logged.contains("all connections closed in"), logged);
      String line;
      while ((line = p[0].readLine()) != null && !line.equals("server shutting down")) {}
      assertEquals("server shutting down", line, "alice was told");
    }
  }

  @Test
  void s5_5_theRateLimitSlowsAFloodWithoutDroppingALine() throws Exception {
    ChatServer s = server(TestServers.settings("rate = 50", "burst = 10"));
    LineClient[] p = pair(s, "r1", "r2");
    long start = System.nanoTime();
    StringBuilder flood = new StringBuilder();
    for (int i = 0; i < 60; i++) flood.append(String.format("r%03d%n", i));
    p[0].raw(flood.toString().getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < 60; i++) p[1].expect(String.format("r1: r%03d", i));
    long ms = (System.nanoTime() - start) / 1_000_000;
    // 10 at once, then 50 at 50/s: at least ~1 s. Only the lower bound is checked; a loaded
    // machine may be slower, never faster.
    assertTrue(ms >= 800, "60 lines at 50/s with a burst of 10 took only " + ms + " ms");
    p[0].send("/help"); // commands still work
    p[0].expect("commands /next /quit /help");
  }

  /**
   * One TCP read of many lines is paced like the lines one by one: the burst goes at once and the
   * rest follows at the rate. The throttle used to charge the whole read as one element, so the
   * partner saw nothing for (lines - burst) / rate seconds and then every line at once.
   */
  @Test
  void s5_5_aFloodSentInOneWriteStartsArrivingAtOnceAndNeverBeatsTheRate() throws Exception {
    ChatServer s = server(TestServers.settings("rate = 50", "burst = 10"));
    LineClient[] p = pair(s, "r1", "r2");
    StringBuilder flood = new StringBuilder();
    for (int i = 0; i < 300; i++) flood.append(String.format("r%03d%n", i));
    long start = System.nanoTime();
    p[0].raw(flood.toString().getBytes(StandardCharsets.US_ASCII));
    p[1].expect("r1: r000");
    long firstMs = (System.nanoTime() - start) / 1_000_000;
    for (int i = 1; i < 300; i++) p[1].expect(String.format("r1: r%03d", i));
    long allMs = (System.nanoTime() - start) / 1_000_000;
    // The burst of 10 may go at once: the first line must not wait for the other 290 (5.8 s).
    assertTrue(firstMs < 3000, "the first line of the flood took " + firstMs + " ms");
    assertTrue(allMs >= 4500, "300 lines at 50/s with a burst of 10 took only " + allMs + " ms");
  }

  // ------------------------------------------------------------------ helpers

  private static byte[] burst(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) b.append("m").append(i).append('\n');
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static String readExactly(SocketChannel c, int n) throws Exception {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining()) {
      if (c.read(buf) < 0) break;
    }
    return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
  }

  private static boolean drainsToEof(LineClient c) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (c.readLine(Duration.ofSeconds(1)) == null && c.isEof()) return true;
    }
    return false;
  }
}
