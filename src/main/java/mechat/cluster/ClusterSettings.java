package mechat.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.util.List;
import java.util.Optional;

/**
 * Cluster mode's settings (§11), read from {@code mechat.server}: the node's cluster transport
 * address and the seed nodes to join through ({@code HOST:PORT} each; none means this node forms a
 * new cluster alone).
 */
public record ClusterSettings(String host, int port, List<String> seedNodes) {
  private static final long MAX_BATCH_BYTES = 128 * 1024;

  public ClusterSettings {
    require(!host.isBlank(), "cluster-host must not be empty");
    require(port >= 0 && port <= 65535, "cluster-port must be 0..65535 or off");
    for (String seed : seedNodes) {
      require(seed.matches("[^:\\s]+:\\d{1,5}"), "seed-nodes must be HOST:PORT each, not: " + seed);
    }
    seedNodes = List.copyOf(seedNodes);
  }

  /** Empty unless {@code mechat.server.cluster-port} is a port (it is {@code off} by default). */
  public static Optional<ClusterSettings> fromConfig(Config root) {
    Config c = root.getConfig("mechat.server");
    Object port = c.getValue("cluster-port").unwrapped();
    if (port.equals(Boolean.FALSE) || port.equals("off")) return Optional.empty();
    require(
        c.getValue("cluster-port").valueType() != ConfigValueType.BOOLEAN,
        "cluster-port must be a port number or off");
    require(
        c.getBytes("inbound-batch") <= MAX_BATCH_BYTES,
        "in cluster mode inbound-batch must be at most 128 KiB: a batch of lines crosses nodes as"
            + " one message, and Artery's frame is 256 KiB");
    String host = c.getString("cluster-host");
    return Optional.of(
        new ClusterSettings(
            host.isBlank() ? c.getString("host") : host, c.getInt("cluster-port"), seeds(c)));
  }

  /** {@code seed-nodes} as a list, or as one comma-separated string (as the option gives it). */
  private static List<String> seeds(Config c) {
    if (c.getValue("seed-nodes").valueType() == ConfigValueType.STRING) {
      String all = c.getString("seed-nodes").trim();
      return all.isEmpty() ? List.of() : List.of(all.split("\\s*,\\s*"));
    }
    return c.getStringList("seed-nodes");
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
