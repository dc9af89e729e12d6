package mechat.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The server's settings (protocol §8), read once from {@code mechat.server} so that actors never
 * read {@link Config} themselves. Tests build it directly.
 */
public record ServerSettings(
    String host,
    int port,
    int maxConnections,
    Duration handshakeTimeout,
    int rate,
    int burst,
    int maxLineBytes,
    Duration slowReaderTimeout,
    int outboundHighWaterBytes,
    int inboundBatchBytes,
    int inboundWindow,
    int maxConnectionsPerIp,
    Duration statsInterval,
    Optional<Tls> tls) {

  /**
   * The TLS listener (§9): its port, the PKCS12 keystore, and the name of the environment
   * variable that holds the keystore's password (never the password itself).
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
    require(positive(handshakeTimeout), "handshake-timeout must be > 0");
    require(rate >= 0, "rate must be >= 0 (0 turns the limit off)");
    require(burst >= 1, "burst must be >= 1");
    require(maxLineBytes >= 1, "max-line-bytes must be >= 1");
    require(positive(slowReaderTimeout), "slow-reader-timeout must be > 0");
    require(outboundHighWaterBytes >= 1024, "outbound-high-water must be >= 1 KiB");
    require(inboundBatchBytes >= 1024, "inbound-batch must be >= 1 KiB");
    require(inboundWindow >= 1, "inbound-window must be >= 1");
    require(maxConnectionsPerIp >= 0, "max-connections-per-ip must be >= 0 (0 turns the limit off)");
    require(!statsInterval.isNegative(), "stats-interval must be >= 0 (0 turns the stats line off)");
    require(tls != null, "tls must be given (Optional.empty() for none)");
  }

  public static ServerSettings fromConfig(Config root) {
    Config c = root.getConfig("mechat.server");
    return new ServerSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getInt("max-connections"),
        c.getDuration("handshake-timeout"),
        c.getInt("rate"),
        c.getInt("burst"),
        c.getInt("max-line-bytes"),
        c.getDuration("slow-reader-timeout"),
        (int) c.getBytes("outbound-high-water").longValue(),
        (int) c.getBytes("inbound-batch").longValue(),
        c.getInt("inbound-window"),
        c.getInt("max-connections-per-ip"),
        c.getDuration("stats-interval"),
        tlsFromConfig(c));
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

  /** The spec's defaults, on the given port; for tests. */
  public static ServerSettings defaults(int port) {
    return new ServerSettings(
        "127.0.0.1", port, 10000, Duration.ofSeconds(60), 20, 40, 4096, Duration.ofSeconds(60),
        64 * 1024, 64 * 1024, 2, 0, Duration.ofSeconds(60), Optional.empty());
  }

  public ServerSettings withRate(int newRate, int newBurst) {
    return with(b -> {
      b.rate = newRate;
      b.burst = newBurst;
    });
  }

  public ServerSettings withMaxConnections(int n) {
    return with(b -> b.maxConnections = n);
  }

  public ServerSettings withHandshakeTimeout(Duration d) {
    return with(b -> b.handshakeTimeout = d);
  }

  public ServerSettings withMaxLineBytes(int n) {
    return with(b -> b.maxLineBytes = n);
  }

  public ServerSettings withSlowReaderTimeout(Duration d) {
    return with(b -> b.slowReaderTimeout = d);
  }

  public ServerSettings withInboundWindow(int n) {
    return with(b -> b.inboundWindow = n);
  }

  public ServerSettings withMaxConnectionsPerIp(int n) {
    return with(b -> b.maxConnectionsPerIp = n);
  }

  public ServerSettings withStatsInterval(Duration d) {
    return with(b -> b.statsInterval = d);
  }

  public ServerSettings withTls(Tls newTls) {
    return with(b -> b.tls = Optional.of(newTls));
  }

  /** A copy with some settings changed; the checks of the constructor run again. */
  public ServerSettings with(Consumer<Builder> change) {
    Builder b = new Builder(this);
    change.accept(b);
    return b.build();
  }

  /** The settings as mutable fields, for {@link #with}: the one place that lists them all. */
  public static final class Builder {
    public String host;
    public int port;
    public int maxConnections;
    public Duration handshakeTimeout;
    public int rate;
    public int burst;
    public int maxLineBytes;
    public Duration slowReaderTimeout;
    public int outboundHighWaterBytes;
    public int inboundBatchBytes;
    public int inboundWindow;
    public int maxConnectionsPerIp;
    public Duration statsInterval;
    public Optional<Tls> tls;

    private Builder(ServerSettings s) {
      host = s.host;
      port = s.port;
      maxConnections = s.maxConnections;
      handshakeTimeout = s.handshakeTimeout;
      rate = s.rate;
      burst = s.burst;
      maxLineBytes = s.maxLineBytes;
      slowReaderTimeout = s.slowReaderTimeout;
      outboundHighWaterBytes = s.outboundHighWaterBytes;
      inboundBatchBytes = s.inboundBatchBytes;
      inboundWindow = s.inboundWindow;
      maxConnectionsPerIp = s.maxConnectionsPerIp;
      statsInterval = s.statsInterval;
      tls = s.tls;
    }

    private ServerSettings build() {
      return new ServerSettings(host, port, maxConnections, handshakeTimeout, rate, burst,
          maxLineBytes, slowReaderTimeout, outboundHighWaterBytes, inboundBatchBytes,
          inboundWindow, maxConnectionsPerIp, statsInterval, tls);
    }
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
