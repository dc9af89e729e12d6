package mechat.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The HTTP settings of §10 from configuration, with application.conf's defaults. */
class HttpSettingsTest {
  private static HttpSettings read(String hocon) {
    Config server =
        ConfigFactory.parseString(hocon)
            .atPath("mechat.server")
            .withFallback(ConfigFactory.load())
            .getConfig("mechat.server");
    return HttpSettings.fromConfig(server);
  }

  @Test
  void offByDefaultWithPingsEveryThirtySeconds() {
    HttpSettings s = read("");
    assertFalse(s.isOn());
    assertEquals(Optional.empty(), s.port());
    assertEquals(Optional.empty(), s.https());
    assertEquals(List.of(), s.allowedOrigins());
    assertEquals(Duration.ofSeconds(30), s.pingInterval());
  }

  @Test
  void portsAndOriginsFromAListOrACommaSeparatedString() {
    HttpSettings s =
        read("http-port = 0\nhttp-allowed-origins = \"https://a.example, http://B.example:8080\"");
    assertTrue(s.isOn());
    assertEquals(Optional.of(0), s.port());
    assertEquals(List.of("https://a.example", "http://b.example:8080"), s.allowedOrigins());
    assertEquals(
        List.of("https://a.example"),
        read("http-allowed-origins = [\"https://a.example:443\"]").allowedOrigins());
  }

  @Test
  void httpsNeedsTheKeystore() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> read("https-port = 8443"));
    assertEquals("https-port needs tls-keystore (a PKCS12 file)", e.getMessage());
    HttpSettings s = read("https-port = 8443\ntls-keystore = server.p12");
    assertEquals(
        Optional.of(new HttpSettings.Https(8443, "server.p12", "MECHAT_TLS_PASSWORD")), s.https());
  }

  @Test
  void badValuesAreExplained() {
    assertEquals(
        "http-allowed-origins: not an origin (scheme://host[:port]): chat.example.org",
        assertThrows(
                IllegalArgumentException.class,
                () -> read("http-allowed-origins = \"chat.example.org\""))
            .getMessage());
    assertEquals(
        "websocket-ping-interval must be > 0",
        assertThrows(IllegalArgumentException.class, () -> read("websocket-ping-interval = 0s"))
            .getMessage());
    assertEquals(
        "http-port must be 0..65535 or off",
        assertThrows(IllegalArgumentException.class, () -> read("http-port = 70000")).getMessage());
    assertEquals(
        "http-port must be a port number or off",
        assertThrows(IllegalArgumentException.class, () -> read("http-port = true")).getMessage());
  }

  @Test
  void healthIsHeldBackWhileAnyReasonHolds() {
    Health health = new Health();
    assertEquals(Optional.of(Health.STARTING), health.unavailable());
    health.release(Health.STARTING);
    assertEquals(Optional.empty(), health.unavailable());
    health.holdBack("not up");
    health.holdBack(Health.SHUTTING_DOWN);
    assertEquals(Optional.of("not up, shutting down"), health.unavailable());
    health.release("not up");
    assertEquals(Optional.of(Health.SHUTTING_DOWN), health.unavailable());
  }
}
