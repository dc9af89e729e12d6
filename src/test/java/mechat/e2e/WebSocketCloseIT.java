package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import mechat.server.ChatServer;
import mechat.testing.Awaits;
import mechat.testing.LineClient;
import mechat.testing.RawWebSocket;
import mechat.testing.Stats;
import mechat.testing.WsClient;
import org.junit.jupiter.api.Test;

/**
 * Protocol §10: how a WebSocket ends (the Close codes after {@code bye}, {@code timeout}, {@code
 * server full}, {@code too many connections} and {@code server shutting down}, or no Close at all
 * for a reader dropped for not reading), the limits it shares with TCP, and the Origin rule.
 *
 * <p>The Close codes come through an internal hook of pekko-http 1.3.0 ({@code CloseCodeHook}):
 * these tests are what fails if an upgrade of pekko-http breaks it.
 */
class WebSocketCloseIT extends WebEndToEnd {

  @Test
  void s10_byeThenClose1000() throws Exception {
    ChatServer s = webServer();
    WsClient c = wsNamed(s, "leaver");
    c.expect("wait");
    c.send("/quit");
    c.expect("bye");
    c.expectClose(1000);
  }

  @Test
  void s10_quitInTheUsernamePhaseIsByeThenClose1000() throws Exception {
    ChatServer s = webServer();
    WsClient c = ws(s);
    c.send("/quit");
    c.expect("bye");
    c.expectClose(1000);
  }

  @Test
  void s10_timeoutThenClose1000() throws Exception {
    ChatServer s = webServer("handshake-timeout = 300ms");
    WsClient c = ws(s);
    c.send("not a name");
    c.expect("invalid username");
    c.expect("timeout");
    c.expectClose(1000);
  }

  @Test
  void s10_serverFullThenClose1013AndTheOthersAreUndisturbed() throws Exception {
    ChatServer s = webServer("max-connections = 2");
    WsClient a = wsNamed(s, "a");
    a.expect("wait");
    LineClient b = connectAndAwaitAccept(s); // a TCP client still choosing its name counts too
    WsClient c = ws(s);
    c.expect("server full");
    c.expectClose(1013);
    b.send("b");
    b.expect("matched to a");
    a.expect("matched to b");
  }

  @Test
  void s10_tooManyConnectionsFromOneAddressThenClose1013() throws Exception {
    ChatServer s = webServer("max-connections-per-ip = 2");
    WsClient a = ws(s);
    Awaits.until(() -> Stats.connections(s) == 1, "the WebSocket client to be accepted");
    LineClient b = connectAndAwaitAccept(s); // the same address, over TCP
    WsClient c = ws(s);
    c.expect("too many connections");
    c.expectClose(1013);
    a.send("a");
    a.expect("wait");
    b.send("b");
    b.expect("matched to a");
  }

  @Test
  void s10_aRefusedClientGetsItsNoticeWhateverItSendsMeanwhile() throws Exception {
    ChatServer s = webServer("max-connections = 1");
    WsClient a = wsNamed(s, "a");
    a.expect("wait");
    try (RawWebSocket c = new RawWebSocket(http(s))) {
      c.sendText("eager");
      c.sendText("/help");
      assertEquals("server full", c.read().text());
      RawWebSocket.Frame close = c.read();
      assertEquals(RawWebSocket.CLOSE, close.opcode());
      assertEquals(1013, close.closeCode());
    }
    assertEquals(1, Stats.connections(s));
  }

  @Test
  void s10_shutdownSaysServerShuttingDownThenClose1001ToEveryBrowser() throws Exception {
    ChatServer s = webServer();
    WsClient a = wsNamed(s, "a");
    a.expect("wait");
    WsClient b = wsNamed(s, "b");
    b.expect("matched to a");
    a.expect("matched to b");
    WsClient handshaking = ws(s);
    a.send("before shutdown");
    b.expect("a: before shutdown");
    s.stop(Duration.ofSeconds(20));
    for (WsClient c : new WsClient[] {a, b, handshaking}) {
      c.expect("server shutting down");
      c.expectClose(1001);
    }
  }

  @Test
  void s10_aClientCloseIsADisconnectAndTheServerAnswersIt() throws Exception {
    ChatServer s = webServer();
    WsClient c = wsNamed(s, "closer");
    c.expect("wait");
    c.sendClose(1000);
    c.expectClose(1000);
    Awaits.until(() -> Stats.connections(s) == 0, "the connection to be gone");
  }

  @Test
  void s10_aReaderThatReadsNothingIsDroppedWithoutACloseAndItsPartnerGetsPartnerLeft()
      throws Exception {
    ChatServer s = webServer("slow-reader-timeout = 1s");
    WsClient slow = track(WsClient.notReading(http(s)));
    slow.send("slow");
    Awaits.until(() -> Stats.of(s).waiting() == 1, "slow to wait");
    LineClient sender = named(s, "sender");
    sender.expect("matched to slow");
    String line = "x".repeat(4000);
    // Enough to fill the socket buffers on both sides, then the server's queue for slow.
    Thread flood =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < 20_000; i++) sender.send(line);
              } catch (Exception e) {
                // the test ends the connection
              }
            });
    flood.setDaemon(true);
    flood.start();
    String seen;
    do {
      seen = sender.readLine(Duration.ofSeconds(30));
    } while (seen != null && !seen.equals("partner left"));
    assertEquals("partner left", seen);
    slow.startReading();
    String event;
    int texts = 0;
    do {
      event = slow.next();
      if (event.startsWith("text:")) texts++;
    } while (event.startsWith("text:"));
    assertTrue(event.startsWith("error:"), "no Close, just a dropped connection: " + event);
    assertTrue(texts > 0, "it had been sent lines before");
    sender.reset();
  }

  @Test
  void s10_anUpgradeFromAnotherOriginIsRefusedWith403AndNeverReachesTheServer() throws Exception {
    ChatServer s = webServer();
    int port = http(s);
    for (String origin :
        new String[] {
          "http://evil.example", "http://127.0.0.1:1", "https://127.0.0.1:" + port, "null"
        }) {
      ExecutionException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class, () -> WsClient.connect(port, origin), origin);
      assertTrue(e.getCause() instanceof WebSocketHandshakeException, origin + ": " + e);
      assertEquals(
          403, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode(), origin);
    }
    assertEquals(0, Stats.connections(s));
    assertEquals(4, s.meters().refusals("origin_not_allowed"));
  }

  @Test
  void s10_thePagesOwnOriginAndTheAllowedOnesMayConnect() throws Exception {
    ChatServer s =
        webServer("http-allowed-origins = \"https://chat.example.org, http://localhost:3000\"");
    int port = http(s);
    for (String origin :
        new String[] {
          "http://127.0.0.1:" + port,
          "HTTP://127.0.0.1:" + port,
          "https://chat.example.org",
          "https://chat.example.org:443",
          "http://localhost:3000"
        }) {
      WsClient c = track(WsClient.connect(port, origin));
      c.send("/quit");
      c.expect("bye");
      c.expectClose(1000);
    }
    assertFalse(s.meters().refusals("origin_not_allowed") > 0);
  }

  @Test
  void s10_aPlainGetOnChatIsNoUpgrade() throws Exception {
    ChatServer s = webServer();
    try (RawWebSocket raw = new RawWebSocket(http(s))) {
      assertTrue(raw.responseHead().startsWith("HTTP/1.1 101"), raw.responseHead());
    }
    java.net.http.HttpResponse<String> plain =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + http(s) + "/chat"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(400, plain.statusCode(), plain.body());
  }
}
