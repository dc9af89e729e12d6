package mechat.bench.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import mechat.bench.BenchRun;
import mechat.server.ChatServer;
import mechat.testing.TestServers;
import org.junit.jupiter.api.Test;

/**
 * {@code mechat bench abuse} through the real command line. The long run, where every kind
 * completes, is {@link SoakIT}; here a run too short for the slow kinds must say so and fail.
 */
class BenchAbuseIT {

  @Test
  void aRunTooShortForTheSlowKindsNamesThemAndFails() throws Exception {
    ChatServer server = TestServers.start(TestServers.settings("rate = 100", "burst = 100"));
    try {
      BenchRun r =
          BenchRun.of("bench", "abuse", "--port", server.port(), "--duration", 3, "--json");
      assertEquals(1, r.exit(), r.toString());
      assertEquals(0, r.count("violations"), r.toString());
      for (String quick : new String[] {"garbage", "long_line", "vanish", "reset", "half_close"}) {
        assertTrue(r.count(quick + "_completed") > 0, quick + "\n" + r);
      }
      // a reader is dropped only after 60 s of not reading (the default), a flood lasts 9 s
      assertEquals(0, r.count("slow_reader_completed"), r.toString());
      assertEquals(0, r.count("flood_completed"), r.toString());
      assertTrue(
          r.out().contains("not shown: no slow-reader episode completed (run longer"), r.out());
      assertTrue(r.out().contains("not shown: no flood episode completed"), r.out());
      assertTrue(r.out().contains("\nresult: FAIL\n"), r.out());
      assertEquals("false", r.json("ok"));
    } finally {
      server.stop(Duration.ofSeconds(20));
    }
  }

  @Test
  void helpNamesEveryKind() {
    BenchRun r = BenchRun.of("bench", "abuse", "--help");
    assertEquals(0, r.exit());
    for (AbuseKind k : AbuseKind.values()) {
      assertTrue(r.out().contains("\n  " + k.label + " "), k.label + " missing from\n" + r.out());
    }
    BenchRun soak = BenchRun.of("bench", "soak", "--help");
    assertEquals(0, soak.exit());
    assertTrue(soak.out().contains(Soak.ABUSE_STARTS), soak.out());
  }
}
