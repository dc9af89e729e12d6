package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import mechat.server.ChatServer;
import mechat.testing.LineClient;
import mechat.testing.TestServers;
import org.junit.jupiter.api.Test;

/** Protocol §1 over real TCP: splits, batches, the line limit, UTF-8 and control characters. */
class FramingIT extends EndToEnd {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void s1_aLineWrittenOneByteAtATimeArrivesWhole() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    byte[] msg = b("h\u00e9llo \u65e5\u672c \uD83D\uDE00 world\r\n");
    for (byte x : msg) p[0].raw(new byte[] {x}); // TCP_NODELAY: segments of one byte each
    p[1].expect("alice: h\u00e9llo \u65e5\u672c \uD83D\uDE00 world");
  }

  @Test
  void s1_manyLinesInOneWriteAndALineAndAHalf() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    p[0].raw(b("one\ntwo\nthree\nfou"));
    p[1].expect("alice: one");
    p[1].expect("alice: two");
    p[1].expect("alice: three");
    p[0].raw(b("r\n"));
    p[1].expect("alice: four");
  }

  @Test
  void s1_exactly4096BytesAreAcceptedWithLfOrCrlf() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    String max = "x".repeat(4096);
    p[0].send(max);
    p[1].expect("alice: " + max);
    p[0].raw(b(max + "\r\n"));
    p[1].expect("alice: " + max);
    String multiByte = "\u00e9".repeat(2048); // 4096 bytes, 2048 characters
    p[0].send(multiByte);
    p[1].expect("alice: " + multiByte);
  }

  @Test
  void s1_4097BytesAreTooLongAndTheConnectionStaysUsable() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    p[0].send("z".repeat(4097));
    p[0].expect("message too long");
    p[0].send("still open");
    p[1].expect("alice: still open"); // nothing of the long line was forwarded before it
  }

  @Test
  void s1_a2MiBLineWithoutLfIsAnsweredBeforeItEndsAndDiscarded() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    p[0].raw(b("q".repeat(10000)));
    p[0].expect("message too long"); // answered before the LF arrives
    byte[] mib = b("q".repeat(1024 * 1024));
    p[0].raw(mib);
    p[0].raw(mib);
    p[0].raw(b("tail\nafter\n"));
    p[1].expect("alice: after");
    p[0].expectSilence(Duration.ofMillis(200)); // answered once per line, not per chunk
    p[0].send("again");
    p[1].expect("alice: again");
  }

  @Test
  void s1_invalidUtf8IsAnsweredAndNeverForwarded() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    byte[][] bad = {
      {(byte) 0xff},
      {'a', 'b', (byte) 0xc3},
      {(byte) 0xc0, (byte) 0xaf},
      {(byte) 0xed, (byte) 0xa0, (byte) 0x80}
    };
    for (byte[] x : bad) {
      p[0].raw(x);
      p[0].raw(new byte[] {'\n'});
      p[0].expect("invalid message");
    }
    p[0].send("valid");
    p[1].expect("alice: valid"); // the first line bob sees: nothing invalid came before
  }

  @Test
  void s1_controlCharactersAreAnsweredAndNeverForwarded() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    for (String x :
        new String[] {
          "\u001b[31mred", "a\u0000b", "x\u007fy", "c1 \u0085 ctl", "mid\rcr", "\u009b2J"
        }) {
      p[0].send(x);
      p[0].expect("invalid message");
    }
    p[0].send("tab\tok");
    p[1].expect("alice: tab\tok");
  }

  @Test
  void s1_theLimitAndItsAnswerHoldInTheUsernamePhase() throws Exception {
    ChatServer s = server();
    LineClient c = connect(s);
    c.send("n".repeat(5000));
    c.expect("message too long");
    c.raw(new byte[] {(byte) 0xff, '\n'});
    c.expect("invalid username");
    c.send("fine");
    c.expect("wait");
  }

  @Test
  void s1_s8_maxLineBytesOption() throws Exception {
    ChatServer s = server(TestServers.settings("max-line-bytes = 10"));
    LineClient[] p = pair(s, "m1", "m2");
    p[0].send("0123456789");
    p[1].expect("m1: 0123456789");
    p[0].raw(b("0123456789\r\n"));
    p[1].expect("m1: 0123456789");
    p[0].send("0123456789a");
    p[0].expect("message too long");
    p[0].send("ok");
    p[1].expect("m1: ok");
  }

  @Test
  void s1_theServerSendsBareLf() throws Exception {
    ChatServer s = server();
    LineClient[] p = pair(s, "alice", "bob");
    p[0].raw(b("crlf\r\n"));
    byte[] line = p[1].readLineBytes(LineClient.DEFAULT_WAIT);
    assertEquals("alice: crlf", new String(line, StandardCharsets.UTF_8)); // no CR kept
  }
}
