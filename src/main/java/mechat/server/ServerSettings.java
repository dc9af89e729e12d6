package mechat.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.Optional;
import mechat.chat.ConnectionSettings;
import mechat.web.HttpSettings;

/**
 * The server's settings (protocol §8, §9, §10), read once from the {@code mechat.server} block of
 * the configuration so that actors never read {@link Config} themselves. The defaults live in one
 * place, {@code application.conf}; options and {@code --config} files override them there.
 */
public record ServerSettings(
    String host,
    int port,
    int maxConnections,
    int maxConnectionsPerIp,
    Duration statsInterval,
    Optional<Tls> tls,
    ConnectionSettings connection,
    HttpSettings http) {

  /**
   * The TLS listener (§9): its port, the PKCS12 keystore, and the name of the environment variable
   * that holds the keystore's password (never the password itself).
   */
  public record Tls(int port, String keystore, String passwordEnv) {
    public Tls {
      require(port >= 0 && port <= 65535, "tls-port must be 0..65535 or off");
      require(!keystore.isBlank(), "tls-port needs tls-keystore (a PKCS12 file)");
      require(!passwordEnv.isBlank(), "tls-keystore-password-env must name a variable");
    }
  }

  public ServerSettings {
    require(port >= 0 && port <= 65535, "port must be 0..65535");
    require(maxConnections >= 1, "max-connections must be >= 1");
    require(maxConnectionsPerIp >= 0, "max-connections-per-ip must be >= 0 (0 turns it off)");
    require(!statsInterval.isNegative(), "stats-interval must be >= 0 (0 turns it off)");
  }

  /** Reads {@code mechat.server} from the whole configuration. */
  public static ServerSettings fromConfig(Config root) {
    Config c = root.getConfig("mechat.server");
    return new ServerSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getInt("max-connections"),
        c.getInt("max-connections-per-ip"),
        ConnectionSettings.duration(c, "stats-interval"),
        tlsFromConfig(c),
        ConnectionSettings.fromConfig(c),
        HttpSettings.fromConfig(c));
  }

  /**
   * Whether a listener needs the keystore of §9: the TLS listener, or HTTPS (both read the same
   * {@code tls-keystore} and {@code tls-keystore-password-env}).
   */
  public boolean needsKeystore() {
    return tls.isPresent() || http.https().isPresent();
  }

  /** {@code tls-port = off} (the default) means no TLS listener. */
  private static Optional<Tls> tlsFromConfig(Config c) {
    Object port = c.getValue("tls-port").unwrapped();
    if (port.equals(Boolean.FALSE) || port.equals("off")) return Optional.empty();
    require(
        c.getValue("tls-port").valueType() != ConfigValueType.BOOLEAN,
        "tls-port must be a port number or off");
    return Optional.of(
        new Tls(
            c.getInt("tls-port"),
            c.getString("tls-keystore"),
            c.getString("tls-keystore-password-env")));
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
