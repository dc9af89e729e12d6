package mechat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import mechat.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The cluster options of {@code mechat server} (§11), refused before anything starts. */
class ClusterOptionsTest {
  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  @Test
  void helpExplainsTheClusterOptions() {
    Run r = run("server", "--help");
    assertEquals(0, r.code());
    for (String option : new String[] {"--cluster-port", "--cluster-host", "--seed-nodes"}) {
      assertTrue(r.out().contains(option), "--help lacks " + option);
    }
  }

  @Test
  void seedNodesWithoutAClusterPortIsABadOption() {
    Run r = run("server", "--port", "0", "--seed-nodes", "127.0.0.1:2551");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("need --cluster-port"), r.err());
  }

  @Test
  void aMalformedSeedIsABadConfigurationWithItsReason() {
    Run r = run("server", "--port", "0", "--cluster-port", "0", "--seed-nodes", "nohost");
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("HOST:PORT"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }
}
