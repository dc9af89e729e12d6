package mechat.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import mechat.server.ChatServer;
import mechat.server.ServerSettings;

/** Starts real servers on a port-0 loopback binding, with message serialization checked. */
public final class TestServers {
  private TestServers() {}

  /** application.conf plus serialize-messages = on: actor messages must survive CBOR. */
  public static Config config() {
    return ConfigFactory.parseString(
            "pekko.actor.serialize-messages = on\n"
                + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"
                + "pekko.coordinated-shutdown.terminate-actor-system = on\n")
        .withFallback(ConfigFactory.load());
  }

  /**
   * The defaults of application.conf, but port 0 and no rate limit (floods would crawl at 20/s),
   * then each of {@code overrides}: HOCON lines within {@code mechat.server}, such as {@code
   * "max-connections = 2"}.
   */
  public static ServerSettings settings(String... overrides) {
    Config server =
        ConfigFactory.parseString(String.join("\n", overrides))
            .withFallback(ConfigFactory.parseString("port = 0\nrate = 0"));
    return ServerSettings.fromConfig(
        server.atPath("mechat.server").withFallback(ConfigFactory.load()));
  }

  public static ChatServer start(ServerSettings settings) {
    try {
      return ChatServer.start(settings, config());
    } catch (Exception e) {
      throw new IllegalStateException("server did not start", e);
    }
  }

  public static ChatServer start() {
    return start(settings());
  }
}
