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

  /** The spec's defaults, but port 0 and no rate limit (floods would crawl at 20/s). */
  public static ServerSettings settings() {
    return ServerSettings.defaults(0).withRate(0, 40);
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
