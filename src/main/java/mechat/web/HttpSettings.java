package mechat.web;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import mechat.chat.ConnectionSettings;

/**
 * The HTTP listener's settings (protocol §10), read from the {@code mechat.server} block: the plain
 * and the TLS port (each off by default), the origins allowed besides the page's own, and how often
 * an idle WebSocket is pinged.
 */
public record HttpSettings(
    Optional<Integer> port,
    Optional<Https> https,
    List<String> allowedOrigins,
    Duration pingInterval) {

  /**
   * The HTTPS port and the keystore it serves with: the TLS listener's (§9), from the same {@code
   * tls-keystore} and {@code tls-keystore-password-env} settings.
   */
  public record Https(int port, String keystore, String passwordEnv) {
    public Https {
      require(port >= 0 && port <= 65535, "https-port must be 0..65535 or off");
      require(!keystore.isBlank(), "https-port needs tls-keystore (a PKCS12 file)");
      require(!passwordEnv.isBlank(), "tls-keystore-password-env must name a variable");
    }
  }

  public HttpSettings {
    port.ifPresent(p -> require(p >= 0 && p <= 65535, "http-port must be 0..65535 or off"));
    require(
        !pingInterval.isNegative() && !pingInterval.isZero(),
        "websocket-ping-interval must be > 0");
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  /** Whether any HTTP listener (plain or TLS) is asked for. */
  public boolean isOn() {
    return port.isPresent() || https.isPresent();
  }

  /** Reads the {@code mechat.server} block (the block itself, not the root). */
  public static HttpSettings fromConfig(Config server) {
    Optional<Integer> https = portOrOff(server, "https-port");
    return new HttpSettings(
        portOrOff(server, "http-port"),
        https.map(
            p ->
                new Https(
                    p,
                    server.getString("tls-keystore"),
                    server.getString("tls-keystore-password-env"))),
        origins(server.getValue("http-allowed-origins")),
        ConnectionSettings.duration(server, "websocket-ping-interval"));
  }

  /** A port number, or {@code off}. */
  private static Optional<Integer> portOrOff(Config c, String key) {
    Object value = c.getValue(key).unwrapped();
    if (value.equals(Boolean.FALSE) || value.equals("off")) return Optional.empty();
    require(
        c.getValue(key).valueType() != ConfigValueType.BOOLEAN,
        key + " must be a port number or off");
    return Optional.of(c.getInt(key));
  }

  /** A list of origins, or one string of them separated by commas (as the option gives it). */
  private static List<String> origins(ConfigValue value) {
    List<String> raw = new ArrayList<>();
    if (value.valueType() == ConfigValueType.LIST) {
      for (Object o : (List<?>) value.unwrapped()) raw.add(String.valueOf(o));
    } else {
      raw.addAll(Arrays.asList(String.valueOf(value.unwrapped()).split(",")));
    }
    List<String> origins = new ArrayList<>();
    for (String o : raw) {
      if (o.isBlank()) continue;
      String origin = OriginRule.normalize(o);
      require(
          origin != null,
          "http-allowed-origins: not an origin (scheme://host[:port]): " + o.trim());
      origins.add(origin);
    }
    return origins;
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
