package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import mechat.server.ChatServer;
import mechat.server.ServerGuardian;
import mechat.testing.Awaits;
import mechat.testing.LineClient;
import mechat.testing.LogCapture;
import mechat.testing.OpensslClient;
import mechat.testing.TestTls;
import mechat.transport.TlsContexts;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Protocol §9, the TLS listener: the same protocol inside TLS, clients of both listeners paired
 * with each other, and §7's leaving, limit and shutdown on the TLS side.
 */
class TlsIT {
  private final List<LineClient> clients = new ArrayList<>();
  private final List<ChatServer> servers = new ArrayList<>();

  private ChatServer server() {
    return server(TestTls.start());
  }

  private ChatServer server(ChatServer s) {
    servers.add(s);
    return s;
  }

  private LineClient tls(ChatServer s, String name, String... protocols) throws IOException {
    LineClient c = LineClient.tls(TestTls.tlsPort(s), TestTls.clientContext(), protocols);
    clients.add(c);
    c.send(name);
    return c;
  }

  private LineClient plain(ChatServer s, String name) throws IOException {
    LineClient c = new LineClient(s.port());
    clients.add(c);
    c.send(name);
    return c;
  }

  private enum Via {
    TLS,
    PLAIN
  }

  private LineClient named(ChatServer s, Via via, String name) throws IOException {
    return via == Via.TLS ? tls(s, name) : plain(s, name);
  }

  /** alice waits (on listener a), bob arrives (on b): matched. */
  private LineClient[] pair(ChatServer s, Via a, Via b) throws IOException {
    LineClient alice = named(s, a, "alice");
    alice.expect("wait");
    LineClient bob = named(s, b, "bob");
    bob.expect("matched to alice");
    alice.expect("matched to bob");
    return new LineClient[] {alice, bob};
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (LineClient c : clients) c.close();
    for (ChatServer s : servers) s.stop(Duration.ofSeconds(20));
  }

  @Test
  void s9_aTlsClientAndAPlainClientAreMatchedAndChatBothWays() throws Exception {
    ChatServer s = server();
    LineClient alice = tls(s, "alice");
    alice.expect("wait");
    assertEquals("TLSv1.3", alice.tlsProtocol());
    LineClient bob = plain(s, "bob");
    bob.expect("matched to alice");
    alice.expect("matched to bob");
    alice.send("hello from TLS: caf\u00e9 \u2713");
    bob.expect("alice: hello from TLS: caf\u00e9 \u2713");
    bob.send("hello from plain text");
    alice.expect("bob: hello from plain text");

    LineClient carol = plain(s, "carol"); // and the other way round: plain waits, TLS arrives
    carol.expect("wait");
    LineClient dave = tls(s, "dave");
    dave.expect("matched to carol");
    carol.expect("matched to dave");
    dave.send("d1");
    carol.send("c1");
    carol.expect("dave: d1");
    dave.expect("carol: c1");
  }

  @Test
  void s9_twoTlsClientsChatOneOnTls12() throws Exception {
    ChatServer s = server();
    LineClient alice = tls(s, "alice");
    alice.expect("wait");
    LineClient bob = tls(s, "bob", "TLSv1.2");
    bob.expect("matched to alice");
    alice.expect("matched to bob");
    assertEquals("TLSv1.2", bob.tlsProtocol());
    StringBuilder burst = new StringBuilder();
    for (int i = 0; i < 300; i++)
      burst.append("line ").append(i).append(" ").append("x".repeat(i)).append('\n');
    alice.raw(burst.toString().getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 300; i++) bob.expect("alice: line " + i + " " + "x".repeat(i));
    bob.send("/next");
    alice.expect("partner left");
  }

  @Test
  void s9_opensslSClientRegistersIsMatchedWithAPlainClientAndChatsBothWays() throws Exception {
    assumeTrue(OpensslClient.available(), "openssl is not installed (.ci/run installs it)");
    ChatServer s = server();
    try (OpensslClient ossl =
        OpensslClient.connect(
            TestTls.tlsPort(s),
            "-CAfile",
            TestTls.certificate().toString(),
            "-verify_return_error",
            "-verify_ip",
            "127.0.0.1")) {
      ossl.send("ossl");
      ossl.expect("wait");
      LineClient bob = plain(s, "bob");
      bob.expect("matched to ossl");
      ossl.expect("matched to bob");
      ossl.send("hello from openssl");
      bob.expect("ossl: hello from openssl");
      bob.send("hello back");
      ossl.expect("bob: hello back");
      ossl.send("/quit");
      ossl.expect("bye");
      assertNull(ossl.readLine(), "openssl sees the server close after bye");
      bob.expect("partner left");
    }
  }

  @Test
  void s9_opensslOfferingOnlyTls11IsRefused() throws Exception {
    assumeTrue(OpensslClient.available(), "openssl is not installed (.ci/run installs it)");
    ChatServer s = server();
    try (OpensslClient ossl =
        OpensslClient.connect(TestTls.tlsPort(s), "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")) {
      int exit = ossl.awaitExit();
      assertTrue(exit > 0, "openssl s_client -tls1_1 exits with an error, got " + exit);
    }
  }

  @Test
  void s9_plainTextOnTheTlsPortIsClosedWithoutAStackTraceAndAChattingPairIsUndisturbed()
      throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, Via.TLS, Via.PLAIN);
    LineClient alice = p[0];
    LineClient bob = p[1];
    try (LogCapture logs = LogCapture.start();
        LineClient mallory = new LineClient(TestTls.tlsPort(s))) {
      mallory.send("mallory");
      mallory.expectClosed();
      alice.send("still here");
      bob.expect("alice: still here");
      bob.send("me too");
      alice.expect("bob: me too");
      Awaits.until(
          () ->
              logs.events().stream()
                  .anyMatch(e -> e.getFormattedMessage().startsWith("connection closed")),
          "the connection's closing to be logged");
      List<ILoggingEvent> events = logs.events();
      String log =
          events.stream()
              .map(e -> e.getLevel() + " " + e.getFormattedMessage())
              .collect(Collectors.joining("\n"));
      assertTrue(
          events.stream().allMatch(e -> e.getThrowableProxy() == null), "no stack trace:\n" + log);
      assertTrue(events.stream().noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)), log);
      assertTrue(
          events.stream().filter(e -> e.getFormattedMessage().contains("TLS")).count() <= 1,
          "at most one line about the failed handshake:\n" + log);
    }
    assertEquals(2, connections(s), "only the pair is left");
  }

  @Test
  void s7_s9_aTlsClientThatClosesGivesItsPartnerPartnerLeftAfterItsLastLines() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, Via.TLS, Via.PLAIN);
    LineClient alice = p[0];
    LineClient bob = p[1];
    alice.send("last words");
    alice.close(); // close_notify, then FIN
    bob.expect("alice: last words");
    bob.expect("partner left");
    bob.expect("wait");
  }

  @Test
  void s7_s9_aTlsClientThatHalfClosesHasLeft() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, Via.PLAIN, Via.TLS);
    LineClient alice = p[0];
    LineClient bob = p[1];
    bob.send("before my half-close");
    bob.shutdownOutput();
    alice.expect("bob: before my half-close");
    alice.expect("partner left");
    bob.expectClosed();
    Awaits.until(() -> connections(s) == 1, "bob's connection to be gone");
  }

  @Test
  void s7_s9_aTlsClientThatVanishesGivesItsPartnerPartnerLeft() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, Via.TLS, Via.TLS);
    LineClient alice = p[0];
    LineClient bob = p[1];
    alice.send("then gone");
    alice.reset(); // RST, no close_notify
    bob.expect("alice: then gone");
    bob.expect("partner left");
    LineClient alice2 = tls(s, "alice"); // the name is free again
    alice2.expect("matched to bob");
  }

  @Test
  void s9_byeAndTheHandshakeTimeoutCloseTheTlsConnection() throws Exception {
    ChatServer s = server(TestTls.start(TestTls.settings("handshake-timeout = 500ms")));
    LineClient quitter = tls(s, "/quit");
    quitter.expect("bye");
    quitter.expectClosed();
    LineClient nameless = LineClient.tls(TestTls.tlsPort(s), TestTls.clientContext());
    clients.add(nameless);
    nameless.expect("timeout");
    nameless.expectClosed();
  }

  @Test
  void s9_aConnectionThatNeverStartsTheHandshakeIsClosedAfterTheHandshakeTimeout()
      throws Exception {
    ChatServer s = server(TestTls.start(TestTls.settings("handshake-timeout = 500ms")));
    try (Socket silent = new Socket("127.0.0.1", TestTls.tlsPort(s))) {
      silent.setSoTimeout((int) LineClient.DEFAULT_WAIT.toMillis());
      var in = silent.getInputStream();
      byte[] buffer = new byte[256];
      int total = 0;
      for (int n; (n = in.read(buffer)) >= 0; ) total += n; // TLS alerts, then the server's FIN
      assertTrue(total < 64, "only alerts, " + total + " bytes");
    }
    Awaits.until(() -> connections(s) == 0, "the connection to be gone");
  }

  @Test
  void s7_s9_tlsClientsCountAgainstTheConnectionLimit() throws Exception {
    ChatServer s = server(TestTls.start(TestTls.settings("max-connections = 2")));
    LineClient[] p = pair(s, Via.TLS, Via.PLAIN);
    LineClient alice = p[0];
    LineClient bob = p[1];
    LineClient third = LineClient.tls(TestTls.tlsPort(s), TestTls.clientContext());
    clients.add(third);
    third.expect("server full");
    third.expectClosed();
    alice.send("undisturbed");
    bob.expect("alice: undisturbed");
  }

  @Test
  void s9_tlsAndPlainConnectionsOfOneAddressShareItsLimit() throws Exception {
    ChatServer s = server(TestTls.start(TestTls.settings("max-connections-per-ip = 1")));
    LineClient alice = plain(s, "alice");
    alice.expect("wait");
    LineClient second = LineClient.tls(TestTls.tlsPort(s), TestTls.clientContext());
    clients.add(second);
    second.expect("too many connections");
    second.expectClosed();
    alice.send("/quit");
    alice.expect("bye");
    Awaits.until(
        () -> {
          try (LineClient again = LineClient.tls(TestTls.tlsPort(s), TestTls.clientContext())) {
            again.send("again");
            return "wait".equals(again.readLine());
          }
        },
        "the address's slot to be free for a TLS client");
  }

  /**
   * Ten rounds, because what this guards against is a race: a TLS connection's last bytes pass one
   * more stage than a plain one's, and a client whose handshake the server was still finishing
   * (late) used to get close_notify without its {@code server shutting down} in most rounds.
   */
  @RepeatedTest(10)
  void s7_s9_shutdownSaysGoodbyeOnBothListenersAndUnbindsBoth() throws Exception {
    ChatServer s = TestTls.start();
    int tlsPort = TestTls.tlsPort(s);
    LineClient[] p = pair(s, Via.TLS, Via.PLAIN);
    LineClient waiter = tls(s, "waiter");
    waiter.expect("wait");
    // With Nagle's algorithm on, this client's last handshake message may reach the server after
    // its handshake has returned: the server may still be finishing it when the shutdown comes.
    LineClient late =
        LineClient.tlsOver(new Socket("127.0.0.1", tlsPort), tlsPort, TestTls.clientContext());
    clients.add(late);
    late.send("late");
    s.stop(Duration.ofSeconds(20));
    List<LineClient> all = List.of(p[0], p[1], waiter, late);
    List<String> names = List.of("alice (tls)", "bob (plain)", "waiter (tls)", "late (tls)");
    for (LineClient c : all) {
      List<String> lines = new ArrayList<>();
      for (String line; (line = c.readLine()) != null; ) lines.add(line);
      String who = names.get(all.indexOf(c));
      assertFalse(lines.isEmpty(), who + " got nothing");
      assertEquals("server shutting down", lines.get(lines.size() - 1), who + " got " + lines);
      assertTrue(c.isEof(), who + " was not closed");
    }
    assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", tlsPort).close());
    assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", s.port()).close());
  }

  @Test
  void s9_aClientThatDoesNotTrustTheCertificateCannotConnect() throws Exception {
    ChatServer s = server();
    SSLContext jvmDefaults = TlsContexts.client(Optional.empty());
    assertThrows(SSLException.class, () -> LineClient.tls(TestTls.tlsPort(s), jvmDefaults).close());
    LineClient alice = tls(s, "alice"); // the server carries on
    alice.expect("wait");
  }

  private static int connections(ChatServer s) throws Exception {
    return AskPattern.<ServerGuardian.Command, Integer>ask(
            s.system(),
            ServerGuardian.GetConnectionCount::new,
            Duration.ofSeconds(5),
            s.system().scheduler())
        .toCompletableFuture()
        .get();
  }
}
