package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import mechat.server.ChatServer;
import mechat.testing.Awaits;
import mechat.testing.LineClient;
import mechat.testing.RawWebSocket;
import mechat.testing.Stats;
import mechat.testing.WsClient;
import org.junit.jupiter.api.Test;

/**
 * Protocol §10 over a real WebSocket (the JDK's client): one text message is one line each way, the
 * line limit and its answer, binary and non-UTF-8 messages, pings, and browsers paired with TCP
 * clients by the same rules.
 */
class WebSocketIT extends WebEndToEnd {

  /** Two WebSocket clients matched with each other: a waits, b arrives. */
  private WsClient[] wsPair(ChatServer s, String a, String b) throws Exception {
    WsClient ca = wsNamed(s, a);
    ca.expect("wait");
    WsClient cb = wsNamed(s, b);
    cb.expect("matched to " + a);
    ca.expect("matched to " + b);
    return new WsClient[] {ca, cb};
  }

  @Test
  void s10_oneTextMessageIsOneLineEachWayWithoutATerminator() throws Exception {
    ChatServer s = webServer();
    WsClient[] p = wsPair(s, "ann", "bob");
    p[0].send("hello bob");
    p[1].expect("ann: hello bob");
    p[1].send("two  spaces, a\ttab and ünïcödé 😀");
    p[0].expect("bob: two  spaces, a\ttab and ünïcödé 😀");
    p[0].send("/help");
    p[0].expect("commands /next /quit /help");
  }

  @Test
  void s10_oneTrailingLfOrCrlfIsStrippedAndAnyOtherControlCharacterIsInvalid() throws Exception {
    ChatServer s = webServer();
    WsClient[] p = wsPair(s, "ann", "bob");
    p[0].send("with lf\n");
    p[1].expect("ann: with lf");
    p[0].send("with crlf\r\n");
    p[1].expect("ann: with crlf");
    p[0].send("two lfs\n\n");
    p[0].expect("invalid message");
    p[0].send("inner\nlf");
    p[0].expect("invalid message");
    p[0].send("lone cr\r");
    p[0].expect("invalid message");
    p[0].send("escape \u001b[31m");
    p[0].expect("invalid message");
    p[0].send("still fine");
    p[1].expect("ann: still fine");
  }

  @Test
  void s10_aControlCharacterInTheNameIsAnInvalidUsername() throws Exception {
    ChatServer s = webServer();
    WsClient c = ws(s);
    c.send("bell\u0007");
    c.expect("invalid username");
    c.send("fine\r\n");
    c.expect("wait");
  }

  @Test
  void s10_aMessageOverTheLimitIsAnsweredMessageTooLongAndTheConnectionStaysOpen()
      throws Exception {
    ChatServer s = webServer("max-line-bytes = 16");
    WsClient[] p = wsPair(s, "ann", "bob");
    p[0].send("x".repeat(16));
    p[1].expect("ann: " + "x".repeat(16));
    p[0].send("x".repeat(16) + "\r\n"); // the terminator is not counted
    p[1].expect("ann: " + "x".repeat(16));
    p[0].send("x".repeat(17));
    p[0].expect("message too long");
    p[0].send("é".repeat(8)); // 16 bytes
    p[1].expect("ann: " + "é".repeat(8));
    p[0].send("é".repeat(8) + "a"); // 17 bytes in 9 characters
    p[0].expect("message too long");
    p[0].send("😀".repeat(4) + "a"); // 17 bytes
    p[0].expect("message too long");
    p[0].send("after");
    p[1].expect("ann: after");
  }

  @Test
  void s10_aFragmentedMessageCountsWholeAndIsJoined() throws Exception {
    ChatServer s = webServer("max-line-bytes = 4096");
    WsClient[] p = wsPair(s, "ann", "bob");
    p[0].sendFragments("he", "ll", "o");
    p[1].expect("ann: hello");
    String[] fragments = new String[101];
    java.util.Arrays.fill(fragments, "y".repeat(1000));
    p[0].sendFragments(fragments); // 101000 bytes, far over the limit, in small pieces
    p[0].expect("message too long");
    p[0].sendFragments("é".repeat(2048), "\r\n"); // 4096 bytes, plus the terminator
    p[1].expect("ann: " + "é".repeat(2048));
    p[0].send("z".repeat(1 << 20)); // one frame of 1 MiB: Pekko streams it in chunks
    p[0].expect("message too long");
    p[0].send("after");
    p[1].expect("ann: after");
  }

  @Test
  void s10_theLimitHoldsInTheUsernamePhaseToo() throws Exception {
    ChatServer s = webServer("max-line-bytes = 8");
    WsClient c = ws(s);
    c.send("a-very-long-name");
    c.expect("message too long");
    c.send("short");
    c.expect("wait");
  }

  @Test
  void s10_aBinaryMessageIsAnInvalidMessageAndTheConnectionStaysOpen() throws Exception {
    ChatServer s = webServer();
    WsClient[] p = wsPair(s, "ann", "bob");
    p[0].sendBinary("hi".getBytes(StandardCharsets.UTF_8));
    p[0].expect("invalid message");
    p[0].sendBinary(new byte[200_000]);
    p[0].expect("invalid message");
    p[0].send("text again");
    p[1].expect("ann: text again");
  }

  /** §10 makes no exception for the username phase, unlike for control characters. */
  @Test
  void s10_aBinaryMessageInTheUsernamePhaseIsAnInvalidMessageToo() throws Exception {
    ChatServer s = webServer();
    WsClient c = ws(s);
    c.sendBinary(new byte[] {'b', 'o', 'b'});
    c.expect("invalid message");
    c.send("bob");
    c.expect("wait");
  }

  @Test
  void s10_textThatIsNotUtf8EndsTheConnectionWith1007AndThePartnerIsTold() throws Exception {
    ChatServer s = webServer();
    LineClient partner = named(s, "tcp-partner");
    partner.expect("wait");
    try (RawWebSocket raw = new RawWebSocket(http(s))) {
      assertTrue(raw.responseHead().startsWith("HTTP/1.1 101"), raw.responseHead());
      raw.sendText("raw");
      assertEquals("matched to tcp-partner", raw.read().text());
      partner.expect("matched to raw");
      raw.sendText("valid first");
      partner.expect("raw: valid first");
      raw.send(RawWebSocket.TEXT, true, new byte[] {'a', (byte) 0xC3, '('});
      RawWebSocket.Frame close = raw.read();
      assertEquals(RawWebSocket.CLOSE, close.opcode());
      assertEquals(1007, close.closeCode());
      partner.expect("partner left");
      partner.expect("wait");
    }
  }

  @Test
  void s10_anIdleWebSocketIsPinged() throws Exception {
    ChatServer s = webServer("websocket-ping-interval = 200ms");
    WsClient c = wsNamed(s, "idle");
    c.expect("wait");
    Awaits.until(() -> c.pings() >= 2, "two pings", Duration.ofSeconds(10));
    c.send("/quit"); // still there after the pings
    c.expect("bye");
  }

  @Test
  void s10_aWebSocketClientAndATcpClientArePairedAndChatBothWays() throws Exception {
    ChatServer s = webServer();
    WsClient web = wsNamed(s, "web");
    web.expect("wait");
    LineClient tcp = named(s, "tcp");
    tcp.expect("matched to web");
    web.expect("matched to tcp");
    web.send("hi from a browser");
    tcp.expect("web: hi from a browser");
    tcp.send("hi from a terminal");
    web.expect("tcp: hi from a terminal");
  }

  @Test
  void s10_namesAreUniqueAcrossTransports() throws Exception {
    ChatServer s = webServer();
    LineClient tcp = named(s, "Alice");
    tcp.expect("wait");
    WsClient web = wsNamed(s, "alice");
    web.expect("username taken");
    web.send("bad name");
    web.expect("invalid username");
    web.send("bob");
    web.expect("matched to Alice");
  }

  @Test
  void s10_nextFromTheBrowserRequeuesItAndItsTcpPartnerGetsPartnerLeft() throws Exception {
    ChatServer s = webServer();
    WsClient web = wsNamed(s, "web");
    web.expect("wait");
    LineClient tcp = named(s, "tcp");
    tcp.expect("matched to web");
    web.expect("matched to tcp");
    web.send("one last line");
    web.send("/next");
    tcp.expect("web: one last line");
    tcp.expect("partner left");
    tcp.expect("wait");
    web.expect("wait"); // not paired again with tcp (§4.4)
    LineClient other = named(s, "other");
    String first = other.readLine();
    assertTrue(first.equals("matched to tcp") || first.equals("matched to web"), first);
  }

  @Test
  void s10_aBrowserThatLeavesIsADisconnectForItsPartner() throws Exception {
    ChatServer s = webServer();
    WsClient web = wsNamed(s, "web");
    web.expect("wait");
    LineClient tcp = named(s, "tcp");
    tcp.expect("matched to web");
    web.expect("matched to tcp");
    web.send("bye for now");
    web.sendClose(1000);
    tcp.expect("web: bye for now");
    tcp.expect("partner left");
    Awaits.until(() -> Stats.of(s).registered() == 1, "the browser's name released");
  }

  @Test
  void s10_waitingAndNotMatchedWorkAsOverTcp() throws Exception {
    ChatServer s = webServer();
    WsClient web = wsNamed(s, "web");
    web.expect("wait");
    web.send("anyone?");
    web.expect("not matched");
    web.send("/next");
    web.expect("wait");
    web.send("/unknown");
    web.expect("unknown command");
    web.send("   ");
    web.send("/quit");
    web.expect("bye");
  }
}
