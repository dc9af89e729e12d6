package mechat.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import mechat.bench.BenchRun;
import org.junit.jupiter.api.Test;

/**
 * {@code mechat bench} must fail (exit 1) and say why whenever the server is wrong: against a relay
 * that spoils every 50th line in each direction, and against servers that refuse or stall. With 2
 * pairs and 220 messages per client, each of the 4 directions spoils lines 50, 100, 150 and 200: 16
 * in all, and the last line of each direction is intact.
 */
class BenchFaultIT {

  private static BenchRun chatThrough(FaultyRelay.Fault fault) throws IOException {
    try (FaultyRelay relay = new FaultyRelay(fault, 50)) {
      return BenchRun.of(
          "bench",
          "chat",
          "--port",
          relay.port(),
          "--pairs",
          2,
          "--messages",
          220,
          "--size",
          40,
          "--timeout",
          10,
          "--json");
    }
  }

  private static void assertCounts(
      BenchRun r, long lost, long reordered, long duplicated, long corrupted) {
    assertEquals(1, r.exit(), r.toString());
    assertEquals(lost, r.count("lost"), r.toString());
    assertEquals(reordered, r.count("reordered"), r.toString());
    assertEquals(duplicated, r.count("duplicated"), r.toString());
    assertEquals(corrupted, r.count("corrupted"), r.toString());
    assertEquals(0, r.count("unexpected"), r.toString());
    assertEquals("false", r.json("timed_out"), "ends when the last lines are in, not at --timeout");
    assertTrue(r.out().contains("\nresult: FAIL\n"), r.out());
  }

  @Test
  void reportsDroppedLinesAsLost() throws IOException {
    BenchRun r = chatThrough(FaultyRelay.Fault.DROP);
    assertCounts(r, 16, 0, 0, 0);
    assertEquals(880 - 16, r.count("received"), r.toString());
    assertTrue(r.out().contains("errors: lost 16, reordered 0"), r.out());
  }

  @Test
  void reportsDuplicatedLines() throws IOException {
    assertCounts(chatThrough(FaultyRelay.Fault.DUPLICATE), 0, 0, 16, 0);
  }

  @Test
  void reportsSwappedLinesAsReordered() throws IOException {
    assertCounts(chatThrough(FaultyRelay.Fault.SWAP), 0, 16, 0, 0);
  }

  /** A corrupted message cannot be trusted to say which it was, so it also counts as lost. */
  @Test
  void reportsCorruptedLines() throws IOException {
    assertCounts(chatThrough(FaultyRelay.Fault.CORRUPT), 16, 0, 0, 16);
  }

  /** The rest of the pair's messages cannot come: fail at once, not at --timeout. */
  @Test
  void failsAtOnceWhenAPartnerLeaves() throws IOException {
    BenchRun r = chatThrough(FaultyRelay.Fault.LEAVE);
    assertEquals(1, r.exit(), r.toString());
    assertEquals("false", r.json("timed_out"));
    assertTrue(r.json("error").contains("left during the run"), r.toString());
    assertTrue(r.err().contains("unexpected line: 'partner left'"), r.err());
  }

  /** Lines far longer than the read buffer, with no window: a relay without a line limit. */
  @Test
  void handlesHugeMessagesWithoutAWindow() throws IOException {
    try (FaultyRelay relay = new FaultyRelay(FaultyRelay.Fault.DROP, Integer.MAX_VALUE)) {
      BenchRun r =
          BenchRun.of(
              "bench",
              "chat",
              "--port",
              relay.port(),
              "--pairs",
              1,
              "--messages",
              5,
              "--size",
              300_000,
              "--window",
              0,
              "--timeout",
              10,
              "--json");
      assertEquals(0, r.exit(), r.toString());
      assertEquals(10, r.count("received"));
    }
  }

  @Test
  void failsWhenNothingListens() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    BenchRun r = BenchRun.of("bench", "chat", "--port", port, "--pairs", 2, "--timeout", 5);
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("cannot connect"), r.err());
  }

  /** A listener that never answers: the kernel accepts the connections, nobody registers them. */
  @Test
  void failsWhenSetupDoesNotFinishInTime() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      BenchRun r =
          BenchRun.of(
              "bench",
              "idle",
              "--port",
              silent.getLocalPort(),
              "--conns",
              3,
              "--timeout",
              0.3,
              "--json");
      assertEquals(1, r.exit(), r.toString());
      assertTrue(r.err().contains("not all clients registered within --timeout"), r.err());
      assertEquals("false", r.json("ok"));
      assertEquals(3, r.count("connected"));
    }
  }

  @Test
  void badOptionsExitWith2() {
    for (String[] args :
        new String[][] {
          {"bench", "chat", "--size", "25"},
          {"bench", "chat", "--pairs", "0"},
          {"bench", "chat", "--window", "-1"},
          {"bench", "chat", "--rate", "-5"},
          {"bench", "chat", "--no-such-option"},
          {"bench", "idle", "--conns", "0"},
          {"bench", "idle", "--port", "70000"},
          {"bench", "abuse", "--clients", "6"},
          {"bench", "abuse", "--duration", "0"},
          {"bench", "abuse", "--churn", "-1"},
          {"bench", "soak", "--rate", "0"},
          {"bench", "soak", "--warmup", "-1"},
          {"bench", "soak", "--slow-reader-wait", "0"}
        }) {
      BenchRun r = BenchRun.of((Object[]) args);
      assertEquals(2, r.exit(), String.join(" ", args) + "\n" + r);
    }
  }
}
