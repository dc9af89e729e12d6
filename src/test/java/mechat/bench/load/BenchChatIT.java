package mechat.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mechat.bench.BenchRun;
import mechat.server.ChatServer;
import mechat.testing.LineClient;
import mechat.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code mechat bench chat} in-process against the real server. */
class BenchChatIT {
  private ChatServer server;

  @BeforeEach
  void start() {
    server = TestServers.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop(Duration.ofSeconds(10));
  }

  @Test
  void closedLoopDeliversAndCountsEveryMessage() {
    BenchRun r =
        BenchRun.of(
            "bench",
            "chat",
            "--port",
            server.port(),
            "--pairs",
            20,
            "--messages",
            200,
            "--size",
            64,
            "--timeout",
            20,
            "--json");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(8000, r.count("sent"), r.toString());
    assertEquals(8000, r.count("received"), r.toString());
    for (String bad : new String[] {"lost", "reordered", "duplicated", "corrupted", "unexpected"}) {
      assertEquals(0, r.count(bad), bad);
    }
    assertEquals("true", r.json("ok"));
    assertTrue(Double.parseDouble(r.json("msgs_per_s")) > 0, r.toString());
    assertTrue(
        Double.parseDouble(r.json("lat_max_us")) >= Double.parseDouble(r.json("lat_p50_us")));
    assertTrue(r.out().contains("sent 8000, received 8000 in "), r.out());
    assertTrue(r.out().contains("\nresult: OK\n"), r.out());
  }

  @Test
  void openLoopReportsTheSendLagToo() {
    BenchRun r =
        BenchRun.of(
            "bench",
            "chat",
            "--port",
            server.port(),
            "--pairs",
            5,
            "--messages",
            100,
            "--size",
            100,
            "--rate",
            5000,
            "--timeout",
            20,
            "--json");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(1000, r.count("received"), r.toString());
    assertNotNull(r.json("send_lag_p99_us"));
    assertTrue(r.out().contains("send lag behind schedule us"), r.out());
    // 1000 messages at 5000/s take at least 0.2 s of schedule: the rate was respected
    assertTrue(Double.parseDouble(r.json("duration_s")) >= 0.19, r.toString());
  }

  /**
   * A client of someone else waits on the server; the bench client it gets matched to waits for it
   * to leave (as a leftover of a previous run would) and the run still succeeds.
   */
  @Test
  void waitsOutAMatchWithAClientOutsideTheRun() throws Exception {
    try (LineClient stranger = LineClient.named(server.port(), "stranger")) {
      stranger.expect("wait");
      CompletableFuture<BenchRun> run =
          CompletableFuture.supplyAsync(
              () ->
                  BenchRun.of(
                      "bench",
                      "chat",
                      "--port",
                      server.port(),
                      "--pairs",
                      2,
                      "--messages",
                      50,
                      "--timeout",
                      20));
      String matched = stranger.readLine();
      assertNotNull(matched);
      assertTrue(matched.startsWith("matched to mb"), matched);
      stranger.close();
      BenchRun r = run.get(30, TimeUnit.SECONDS);
      assertEquals(0, r.exit(), r.toString());
      assertTrue(r.err().contains("waited out 1 matches with clients outside this run"), r.err());
      assertTrue(r.out().contains("sent 200, received 200"), r.out());
    }
  }
}
