package mechat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Cluster mode's options (§11) and how its configuration is layered. */
class ClusterSettingsTest {
  private static Config config(String lines) {
    return ClusterConfig.layered(ConfigFactory.parseString(lines), ConfigFactory.load());
  }

  @Test
  void offByDefaultAndThenNothingOfTheClusterIsConfigured() {
    Config c = config("");
    assertEquals(Optional.empty(), ClusterSettings.fromConfig(c));
    assertEquals("local", c.getString("pekko.actor.provider"));
  }

  @Test
  void aPortTurnsItOnWithTheHostAndTheSeedsOfTheOptions() {
    Config c =
        config(
            "mechat.server { host = \"10.0.0.5\", cluster-port = 2551,"
                + " seed-nodes = \"10.0.0.5:2551, 10.0.0.6:2551\" }");
    ClusterSettings s = ClusterSettings.fromConfig(c).orElseThrow();
    assertEquals(
        new ClusterSettings("10.0.0.5", 2551, List.of("10.0.0.5:2551", "10.0.0.6:2551")), s);
    assertEquals("cluster", c.getString("pekko.actor.provider"));
    assertEquals(
        "keep-majority", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    Config node = ClusterConfig.forNode(s, c, "mechat");
    assertEquals(2551, node.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(
        List.of("pekko://mechat@10.0.0.5:2551", "pekko://mechat@10.0.0.6:2551"),
        node.getStringList("pekko.cluster.seed-nodes"));
  }

  @Test
  void anOperatorsOwnSettingsWinOverClusterConf() {
    Config c =
        config(
            "mechat.server.cluster-port = 0\n"
                + "mechat.server.cluster-host = \"192.168.1.2\"\n"
                + "pekko.cluster.split-brain-resolver.active-strategy = static-quorum");
    assertEquals(
        "static-quorum", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    assertEquals("192.168.1.2", ClusterSettings.fromConfig(c).orElseThrow().host());
    assertTrue(c.getBoolean("pekko.coordinated-shutdown.exit-jvm"));
  }

  @Test
  void badValuesAreRefusedWithAReason() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ClusterSettings.fromConfig(config("mechat.server.cluster-port = 70000")));
    IllegalArgumentException seeds =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ClusterSettings.fromConfig(
                    config("mechat.server { cluster-port = 0, seed-nodes = \"nohost\" }")));
    assertTrue(seeds.getMessage().contains("HOST:PORT"), seeds.getMessage());
    IllegalArgumentException batch =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ClusterSettings.fromConfig(
                    config("mechat.server { cluster-port = 0, inbound-batch = 1 MiB }")));
    assertTrue(batch.getMessage().contains("inbound-batch"), batch.getMessage());
  }
}
