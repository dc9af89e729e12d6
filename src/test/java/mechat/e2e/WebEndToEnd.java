package mechat.e2e;

import java.util.ArrayList;
import java.util.List;
import mechat.server.ChatServer;
import mechat.server.ServerSettings;
import mechat.testing.TestServers;
import mechat.testing.WsClient;
import org.junit.jupiter.api.AfterEach;

/**
 * Base of the end-to-end tests of the browser transport (§10): {@link EndToEnd}'s servers, with an
 * HTTP listener on a free port, and WebSocket clients closed after each test.
 */
abstract class WebEndToEnd extends EndToEnd {
  private final List<WsClient> webClients = new ArrayList<>();

  /** {@link TestServers#settings} with an HTTP listener on a free port, then the overrides. */
  protected static ServerSettings webSettings(String... overrides) {
    List<String> lines = new ArrayList<>(List.of("http-port = 0"));
    lines.addAll(List.of(overrides));
    return TestServers.settings(lines.toArray(String[]::new));
  }

  protected ChatServer webServer(String... overrides) {
    return server(webSettings(overrides));
  }

  protected static int http(ChatServer s) {
    return s.httpPort().orElseThrow();
  }

  protected WsClient ws(ChatServer s) throws Exception {
    return track(WsClient.connect(http(s)));
  }

  protected WsClient wsNamed(ChatServer s, String name) throws Exception {
    WsClient c = ws(s);
    c.send(name);
    return c;
  }

  protected WsClient track(WsClient c) {
    webClients.add(c);
    return c;
  }

  @AfterEach
  void closeWebClients() {
    webClients.forEach(WsClient::close);
  }
}
