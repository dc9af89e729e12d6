package mechat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Durations in the configuration file read as an operator means them (§8). */
class ConnectionSettingsTest {

  private static Duration handshake(String value) {
    Config block =
        ConfigFactory.parseString("handshake-timeout = " + value)
            .withFallback(ConfigFactory.load().getConfig("mechat.server"));
    return ConnectionSettings.fromConfig(block).handshakeTimeout();
  }

  @Test
  void aBareNumberIsSecondsAsOnTheCommandLine() {
    assertEquals(Duration.ofSeconds(2), handshake("2"));
    assertEquals(Duration.ofMillis(1500), handshake("1.5"));
  }

  @Test
  void aDurationWithAUnitIsReadAsHoconWritesIt() {
    assertEquals(Duration.ofSeconds(2), handshake("2s"));
    assertEquals(Duration.ofMillis(500), handshake("500ms"));
    assertEquals(Duration.ofMinutes(2), handshake("2 minutes"));
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    ConnectionSettings defaults =
        ConnectionSettings.fromConfig(ConfigFactory.load().getConfig("mechat.server"));
    assertEquals(Duration.ofSeconds(60), defaults.handshakeTimeout());
    assertEquals(Duration.ofSeconds(60), defaults.slowReaderTimeout());
  }
}
