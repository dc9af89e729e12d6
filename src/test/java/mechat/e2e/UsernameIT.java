package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import mechat.server.ChatServer;
import mechat.testing.LineClient;
import mechat.testing.TestServers;
import org.junit.jupiter.api.Test;

/** Protocol §3: the username phase. */
class UsernameIT extends EndToEnd {

  @Test
  void s3_1_theServerSendsNothingBeforeTheUsername() throws Exception {
    ChatServer s = server();
    LineClient c = connect(s);
    c.expectSilence(Duration.ofMillis(300));
    c.send("x1");
    c.expect("wait");
  }

  @Test
  void s3_3_invalidUsernamesAreAnsweredAsOftenAsTheClientLikes() throws Exception {
    ChatServer s = server();
    LineClient c = connect(s);
    for (String bad :
        new String[] {
          "", "   ", "a b", "\u00e9t\u00e9", "x".repeat(31), "/help", "/", "/nick", "a\u0001b"
        }) {
      c.send(bad);
      c.expect("invalid username");
    }
    c.send("x".repeat(30));
    c.expect("wait");
  }

  @Test
  void s3_2_s3_3_punctuationIsValidAndSpacesAndTabsAreTrimmed() throws Exception {
    ChatServer s = server();
    LineClient a = named(s, " \t!#$%&'()*+,-./:;<=>?@[]^_`{|}~\t ");
    a.expect("wait");
    LineClient b = named(s, "Bob-1");
    b.expect("matched to !#$%&'()*+,-./:;<=>?@[]^_`{|}~");
    a.expect("matched to Bob-1");
  }

  @Test
  void s3_4_s3_6_takenNamesCompareCaseInsensitivelyAndAreReleasedOnDisconnect() throws Exception {
    ChatServer s = server();
    LineClient a = named(s, "Carol");
    a.expect("wait");
    LineClient b = named(s, "cAROL");
    b.expect("username taken");
    b.send("carol2");
    b.expect("matched to Carol");
    a.expect("matched to carol2");
    a.close();
    b.expect("partner left");
    b.expect("wait");
    // "Released the moment its client disconnects": b saw partner left, so the server has
    // processed the disconnect; the name is free again.
    LineClient c = named(s, "CAROL");
    c.expect("matched to carol2");
  }

  @Test
  void s3_7_quitWorksInTheUsernamePhase() throws Exception {
    ChatServer s = server();
    LineClient c = connect(s);
    c.send("  /QUIT ");
    c.expect("bye");
    c.expectClosed();
  }

  @Test
  void s3_5_aClientWithoutAValidNameInTimeGetsTimeoutAndIsClosed() throws Exception {
    ChatServer s = server(TestServers.settings("handshake-timeout = 1s"));
    LineClient c = connect(s);
    long start = System.nanoTime();
    c.send("bad name");
    c.expect("invalid username");
    c.expect("timeout", Duration.ofSeconds(10));
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(elapsedMs >= 900, "timed out after " + elapsedMs + " ms, before the 1 s timeout");
    c.expectClosed();
  }

  @Test
  void s3_5_registeredClientsDoNotTimeOut() throws Exception {
    ChatServer s = server(TestServers.settings("handshake-timeout = 300ms"));
    LineClient ok = named(s, "ok");
    ok.expect("wait");
    // A second client that times out proves the timer has run well past the first one's.
    LineClient late = connect(s);
    late.expect("timeout", Duration.ofSeconds(10));
    ok.send("/help");
    ok.expect("commands /next /quit /help");
  }
}
