package mechat.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;

/**
 * The configuration of a cluster node: {@code cluster.conf} (Artery, Split Brain Resolver, exit on
 * downing) layered over application.conf but under an operator's own settings, and this node's
 * address and seed nodes on top. A single server's configuration is left as it is.
 */
public final class ClusterConfig {
  private ClusterConfig() {}

  /** The pekko settings of cluster mode, from the classpath. */
  public static Config clusterDefaults() {
    return ConfigFactory.parseResources("cluster.conf");
  }

  /**
   * {@code top} (options and {@code --config} file) over {@code defaults} (application.conf and
   * reference.conf), with cluster.conf between the two when {@code top} turns cluster mode on.
   */
  public static Config layered(Config top, Config defaults) {
    Config plain = top.withFallback(defaults).resolve();
    if (ClusterSettings.fromConfig(plain).isEmpty()) return plain;
    return top.withFallback(clusterDefaults()).withFallback(defaults).resolve();
  }

  /**
   * The actor system's configuration for this node: its address and seed nodes over {@code config},
   * which gets cluster.conf on top if it lacks it (a caller that did not use {@link #layered}).
   */
  public static Config forNode(ClusterSettings settings, Config config, String systemName) {
    Config base =
        "cluster".equals(config.getString("pekko.actor.provider"))
            ? config
            : clusterDefaults().withFallback(config);
    List<String> seeds =
        settings.seedNodes().stream().map(s -> "pekko://" + systemName + "@" + s).toList();
    return ConfigFactory.empty()
        .withValue("pekko.remote.artery.canonical.hostname", value(settings.host()))
        .withValue("pekko.remote.artery.canonical.port", value(settings.port()))
        .withValue("pekko.cluster.seed-nodes", value(seeds))
        .withFallback(base)
        .resolve();
  }

  private static com.typesafe.config.ConfigValue value(Object v) {
    return ConfigValueFactory.fromAnyRef(v, "mechat cluster options");
  }
}
