package mechat.chat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;

/**
 * What a connection actor needs to know of the server's settings (§3, §5, §8): read once from the
 * {@code mechat.server} block of the configuration, whose {@code application.conf} holds the
 * defaults.
 */
public record ConnectionSettings(
    Duration handshakeTimeout,
    int rate,
    int burst,
    int maxLineBytes,
    Duration slowReaderTimeout,
    int outboundHighWaterBytes,
    int inboundBatchBytes,
    int inboundWindow) {

  public ConnectionSettings {
    require(positive(handshakeTimeout), "handshake-timeout must be > 0");
    require(rate >= 0, "rate must be >= 0 (0 turns the limit off)");
    require(burst >= 1, "burst must be >= 1");
    require(maxLineBytes >= 1, "max-line-bytes must be >= 1");
    require(positive(slowReaderTimeout), "slow-reader-timeout must be > 0");
    require(outboundHighWaterBytes >= 1024, "outbound-high-water must be >= 1 KiB");
    require(inboundBatchBytes >= 1024, "inbound-batch must be >= 1 KiB");
    require(inboundWindow >= 1, "inbound-window must be >= 1");
  }

  /** Reads the {@code mechat.server} block (the block itself, not the root). */
  public static ConnectionSettings fromConfig(Config server) {
    return new ConnectionSettings(
        duration(server, "handshake-timeout"),
        server.getInt("rate"),
        server.getInt("burst"),
        server.getInt("max-line-bytes"),
        duration(server, "slow-reader-timeout"),
        (int) server.getBytes("outbound-high-water").longValue(),
        (int) server.getBytes("inbound-batch").longValue(),
        server.getInt("inbound-window"));
  }

  /**
   * A duration setting of the {@code mechat.server} block: with a unit ({@code 60s}, {@code
   * 500ms}), or a bare number of seconds, as the command line and the README's table give them
   * (HOCON alone would read {@code handshake-timeout = 60} as 60 ms).
   */
  public static Duration duration(Config block, String key) {
    ConfigValue value = block.getValue(key);
    if (value.valueType() == ConfigValueType.NUMBER) {
      return Duration.ofMillis(Math.round(((Number) value.unwrapped()).doubleValue() * 1000));
    }
    return block.getDuration(key);
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
