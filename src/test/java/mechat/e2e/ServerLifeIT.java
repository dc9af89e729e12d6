package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import mechat.server.ChatServer;
import mechat.testing.Awaits;
import mechat.testing.LineClient;
import mechat.testing.TestServers;
import org.junit.jupiter.api.Test;

/** Protocol §7: the connection limit and the graceful shutdown (in-process; SIGTERM in CliTest). */
class ServerLifeIT extends EndToEnd {

  @Test
  void s7_overTheLimitANewConnectionGetsServerFullAndTheOthersAreUndisturbed() throws Exception {
    ChatServer s = server(TestServers.settings("max-connections = 2"));
    LineClient a = named(s, "f1");
    a.expect("wait");
    LineClient b = connectAndAwaitAccept(s); // connected, no name yet: still counts
    LineClient c = connect(s);
    c.expect("server full");
    c.expectClosed();
    b.send("f2");
    b.expect("matched to f1");
    a.expect("matched to f2");
    a.send("still here");
    b.expect("f1: still here");
  }

  /**
   * A partner whose machine vanished sends no FIN; only TCP keepalive notices it. Linux shows an
   * idle established socket's keepalive timer as timer kind 02 in /proc/net/tcp.
   */
  @Test
  void s7_acceptedSocketsHaveTcpKeepaliveSoAVanishedPeerIsEventuallyNoticed() throws Exception {
    ChatServer s = server();
    LineClient a = named(s, "kept");
    a.expect("wait");
    // the JVM may use a dual-stack socket: its row is in tcp6, with an IPv4-mapped address
    String serverToClient =
        String.format(":%04X [0-9A-F]+:%04X ", s.port(), a.socket().getLocalPort());
    List<String> rows = new ArrayList<>(Files.readAllLines(Path.of("/proc/net/tcp")));
    rows.addAll(Files.readAllLines(Path.of("/proc/net/tcp6")));
    String row =
        rows.stream()
            .filter(r -> Pattern.compile(serverToClient).matcher(r).find())
            .findFirst()
            .orElseThrow(() -> new AssertionError("no server-side socket in /proc/net/tcp{,6}"));
    String timer = row.trim().split("\\s+")[5];
    assertTrue(timer.startsWith("02:"), "keepalive timer expected (02:...), got " + row);
  }

  @Test
  void s7_aSlotIsFreedWhenAClientLeaves() throws Exception {
    ChatServer s = server(TestServers.settings("max-connections = 1"));
    LineClient a = named(s, "only");
    a.expect("wait");
    connect(s).expect("server full");
    a.send("/quit");
    a.expect("bye");
    a.expectClosed();
    Awaits.until(
        () -> {
          try (LineClient again = new LineClient(s.port())) {
            again.send("next");
            return "wait".equals(again.readLine());
          }
        },
        "the freed slot to be usable");
  }

  @Test
  void s7_shutdownSaysGoodbyeToEveryClientAfterWhatIsQueuedForIt() throws Exception {
    ChatServer s = TestServers.start();
    try {
      LineClient[] p = pair(s, "alice", "bob");
      LineClient waiter = named(s, "waiter");
      waiter.expect("wait");
      LineClient handshaking = connect(s);
      p[0].send("before shutdown");
      p[1].expect("alice: before shutdown");
      for (int i = 0; i < 100; i++) p[0].send("queued " + i);
      Thread stopper =
          new Thread(
              () -> {
                try {
                  s.stop(Duration.ofSeconds(20));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      stopper.start();
      // Lines accepted for bob before the shutdown come first, then the notice.
      String line;
      int delivered = 0;
      while ((line = p[1].readLine()) != null && line.startsWith("alice: queued ")) {
        org.junit.jupiter.api.Assertions.assertEquals("alice: queued " + delivered, line);
        delivered++;
      }
      org.junit.jupiter.api.Assertions.assertEquals(
          "server shutting down", line, "after " + delivered + " queued lines");
      p[1].expectClosed();
      for (LineClient c : new LineClient[] {p[0], waiter, handshaking}) {
        c.expect("server shutting down");
        c.expectClosed();
      }
      stopper.join(Duration.ofSeconds(30).toMillis());
      org.junit.jupiter.api.Assertions.assertFalse(stopper.isAlive(), "server did not stop");
    } finally {
      s.stop(Duration.ofSeconds(20));
    }
  }
}
