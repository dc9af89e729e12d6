package mechat.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import mechat.bench.BenchRun;
import mechat.server.ChatServer;
import mechat.testing.TestServers;
import org.junit.jupiter.api.Test;

/** {@code mechat bench idle} in-process against the real server. */
class BenchIdleIT {

  @Test
  void registersHoldsAndClosesConnections() throws Exception {
    ChatServer server = TestServers.start();
    try {
      BenchRun r =
          BenchRun.of(
              "bench",
              "idle",
              "--port",
              server.port(),
              "--conns",
              100,
              "--hold",
              0.2,
              "--timeout",
              20,
              "--json");
      assertEquals(0, r.exit(), r.toString());
      assertTrue(r.out().startsWith("idle: 100 connections registered in "), r.out());
      assertEquals(100, r.count("conns"));
      assertEquals(100, r.count("matched"), "the server pairs all 100 while they are held");
      assertTrue(Double.parseDouble(r.json("setup_s")) > 0);
      assertEquals("true", r.json("ok"));
    } finally {
      server.stop(Duration.ofSeconds(10));
    }
  }

  @Test
  void roundsRegisterNewClientsEachTimeOnTheSameServer() throws Exception {
    ChatServer server = TestServers.start();
    try {
      BenchRun r =
          BenchRun.of(
              "bench",
              "idle",
              "--port",
              server.port(),
              "--conns",
              20,
              "--rounds",
              2,
              "--timeout",
              20);
      assertEquals(0, r.exit(), r.toString());
      assertTrue(r.out().startsWith("round 1 of 2\nidle: 20 connections registered in "), r.out());
      assertTrue(r.out().contains("round 2 of 2\nidle: 20 connections registered in "), r.out());
      assertEquals(2, r.out().split("result: OK", -1).length - 1, r.out());
    } finally {
      server.stop(Duration.ofSeconds(10));
    }
  }
}
