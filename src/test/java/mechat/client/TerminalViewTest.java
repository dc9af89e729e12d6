package mechat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import mechat.client.ViewEvent.EndReason;
import mechat.client.ViewEvent.Refusal;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.jline.utils.AttributedCharSequence.ForceMode;
import org.jline.utils.AttributedString;
import org.junit.jupiter.api.Test;

/** How each event reads on screen: time, marker, words; colours only where wanted. */
class TerminalViewTest {
  private static final LocalTime T = LocalTime.of(9, 5, 59);

  private static String plain(ViewEvent event) {
    return TerminalView.render(event, T, false).toString();
  }

  @Test
  void chatLinesShowTimeAndWhoSaidIt() {
    assertEquals("09:05 alice: hi there", plain(new ViewEvent.PartnerLine("alice", "hi there")));
    assertEquals("09:05 you> hello", plain(new ViewEvent.OwnLine("hello")));
  }

  @Test
  void statusReadsAsPlainEnglishWithANoticeMarker() {
    assertEquals("09:05 -- waiting for a partner...", plain(new ViewEvent.Waiting()));
    assertEquals("09:05 -- now chatting with alice", plain(new ViewEvent.Matched("alice")));
    assertEquals(
        "09:05 -- alice left -- looking for someone new",
        plain(new ViewEvent.PartnerLeft("alice")));
    assertEquals(
        "09:05 -- not delivered: you have no partner yet",
        plain(new ViewEvent.Notice("not matched")));
    assertEquals(
        "09:05 -- too many connections", plain(new ViewEvent.Notice("too many connections")));
    assertEquals("09:05 -- bye", plain(new ViewEvent.Ended(EndReason.BYE)));
    assertEquals(
        "09:05 -- the server is shutting down -- bye",
        plain(new ViewEvent.Ended(EndReason.SERVER_SHUTTING_DOWN)));
  }

  @Test
  void aRefusedNameStatesTheRule() {
    String text = plain(new ViewEvent.NameRefused(Refusal.INVALID));
    assertTrue(text.contains("1-30 ASCII letters, digits or punctuation"), text);
    assertTrue(text.contains("do not start with /"), text);
    assertTrue(plain(new ViewEvent.NameRefused(Refusal.TAKEN)).contains("username taken"));
  }

  @Test
  void receivedTextAndNamesAreMadeSafe() {
    assertEquals(
        "09:05 a\uFFFD[1m: \uFFFD[2Jx",
        plain(new ViewEvent.PartnerLine("a\u001b[1m", "\u001b[2Jx")));
    assertEquals("09:05 -- now chatting with \uFFFDc", plain(new ViewEvent.Matched("\u009bc")));
  }

  @Test
  void coloursStyleTheLineWithoutChangingItsText() {
    AttributedString coloured = TerminalView.render(new ViewEvent.Matched("alice"), T, true);
    assertEquals("09:05 -- now chatting with alice", coloured.toString());
    assertTrue(coloured.toAnsi(256, ForceMode.None).contains("\u001b["));
    AttributedString plain = TerminalView.render(new ViewEvent.Matched("alice"), T, false);
    assertFalse(plain.toAnsi(256, ForceMode.None).contains("\u001b["));
  }

  @Test
  void coloursOffWithNoColorOrADumbTerminal() throws IOException {
    try (Terminal xterm = external("xterm-256color");
        Terminal dumb =
            new DumbTerminal(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream())) {
      assertTrue(TerminalView.coloursWanted(null, xterm));
      assertTrue(TerminalView.coloursWanted("", xterm), "an empty NO_COLOR does not count");
      assertFalse(TerminalView.coloursWanted("1", xterm));
      assertFalse(TerminalView.coloursWanted(null, dumb));
    }
  }

  private static Terminal external(String type) throws IOException {
    return new ExternalTerminal(
        "t",
        type,
        new ByteArrayInputStream(new byte[0]),
        new ByteArrayOutputStream(),
        StandardCharsets.UTF_8);
  }
}
