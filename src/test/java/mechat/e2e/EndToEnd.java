package mechat.e2e;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mechat.server.ChatServer;
import mechat.server.ServerSettings;
import mechat.testing.Awaits;
import mechat.testing.LineClient;
import mechat.testing.Stats;
import mechat.testing.TestServers;
import org.junit.jupiter.api.AfterEach;

/**
 * Base of the end-to-end tests: a real server on a port-0 loopback binding, fresh for every test so
 * that no client of one test can be matched with a client of another.
 */
abstract class EndToEnd {
  private final List<LineClient> clients = new ArrayList<>();
  private final List<ChatServer> servers = new ArrayList<>();

  protected ChatServer server(ServerSettings settings) {
    ChatServer s = TestServers.start(settings);
    servers.add(s);
    return s;
  }

  /** A server with the spec's defaults, except port 0 and no rate limit. */
  protected ChatServer server() {
    return server(TestServers.settings());
  }

  protected LineClient connect(ChatServer s) throws IOException {
    return track(new LineClient(s.port()));
  }

  /**
   * Connects and waits until the server holds the connection: connections made at nearly the same
   * time may be accepted in either order.
   */
  protected LineClient connectAndAwaitAccept(ChatServer s) throws Exception {
    int before = Stats.connections(s);
    LineClient c = connect(s);
    Awaits.until(() -> Stats.connections(s) > before, "the server to accept the connection");
    return c;
  }

  /** Closes the client after the test. */
  protected LineClient track(LineClient c) {
    clients.add(c);
    return c;
  }

  protected LineClient named(ChatServer s, String name) throws IOException {
    LineClient c = connect(s);
    c.send(name);
    return c;
  }

  /** Two clients matched with each other: a waits, b arrives. */
  protected LineClient[] pair(ChatServer s, String a, String b) throws IOException {
    LineClient ca = named(s, a);
    ca.expect("wait");
    LineClient cb = named(s, b);
    cb.expect("matched to " + a);
    ca.expect("matched to " + b);
    return new LineClient[] {ca, cb};
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (LineClient c : clients) c.close();
    for (ChatServer s : servers) s.stop(Duration.ofSeconds(20));
  }
}
