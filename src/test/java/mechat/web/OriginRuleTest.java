package mechat.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

/** The Origin rule of §10, on requests as Pekko presents an upgrade to ws://127.0.0.1:8080. */
class OriginRuleTest {
  private final OriginRule rule = new OriginRule(List.of("https://Chat.Example.org:443/"));

  private static HttpRequest upgrade(String scheme, String origin) {
    HttpRequest r =
        HttpRequest.create(scheme + "://127.0.0.1:8080/chat")
            .addHeader(RawHeader.create("Host", "127.0.0.1:8080"));
    return origin == null ? r : r.addHeader(RawHeader.create("Origin", origin));
  }

  @Test
  void noOriginIsNoBrowserAndIsLetThrough() {
    assertTrue(rule.allows(upgrade("ws", null)));
  }

  @Test
  void thePagesOwnOriginIsAllowedWhateverTheCaseOfItsScheme() {
    assertTrue(rule.allows(upgrade("ws", "http://127.0.0.1:8080")));
    assertTrue(rule.allows(upgrade("ws", "HTTP://127.0.0.1:8080")));
    assertTrue(rule.allows(upgrade("wss", "https://127.0.0.1:8080")));
  }

  @Test
  void anotherSchemeHostOrPortIsRefused() {
    assertFalse(rule.allows(upgrade("ws", "https://127.0.0.1:8080")));
    assertFalse(rule.allows(upgrade("wss", "http://127.0.0.1:8080")));
    assertFalse(rule.allows(upgrade("ws", "http://127.0.0.1:8081")));
    assertFalse(rule.allows(upgrade("ws", "http://localhost:8080")));
    assertFalse(rule.allows(upgrade("ws", "http://evil.example")));
    assertFalse(rule.allows(upgrade("ws", "null")));
    assertFalse(rule.allows(upgrade("ws", "")));
  }

  @Test
  void anAllowedOriginMayConnectWithOrWithoutItsDefaultPort() {
    assertTrue(rule.allows(upgrade("ws", "https://chat.example.org")));
    assertTrue(rule.allows(upgrade("ws", "https://chat.example.org:443")));
    assertFalse(rule.allows(upgrade("ws", "http://chat.example.org")));
    assertFalse(rule.allows(upgrade("ws", "https://chat.example.org:8443")));
  }

  @Test
  void originsAreNormalized() {
    assertEquals("http://a.example", OriginRule.normalize(" HTTP://A.Example:80 "));
    assertEquals("https://a.example:8443", OriginRule.normalize("https://a.example:8443/"));
    assertNull(OriginRule.normalize("https://a.example/path"));
    assertNull(OriginRule.normalize("ftp://a.example"));
    assertNull(OriginRule.normalize("a.example"));
    assertNull(OriginRule.normalize("null"));
  }
}
