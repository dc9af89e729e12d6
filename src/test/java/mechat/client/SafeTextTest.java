package mechat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class SafeTextTest {

  @Test
  void leavesOrdinaryTextAlone() {
    String text = "héllo, wörld! 你好 :) /next https://x.y/z";
    assertSame(text, SafeText.of(text));
  }

  @Test
  void replacesEscapeSequencesSoTheyCannotDriveTheTerminal() {
    assertEquals("\uFFFD[2J\uFFFD]0;pwned\uFFFD", SafeText.of("\u001b[2J\u001b]0;pwned\u0007"));
  }

  @Test
  void replacesEveryControlCharacterOfTheProtocol() {
    assertEquals("a\uFFFDb\uFFFDc\uFFFDd\uFFFDe", SafeText.of("a\rb\nc\u007fd\u009be"));
    assertEquals("\uFFFD".repeat(3), SafeText.of("\u0000\u0008\u0085"));
  }

  @Test
  void replacesLineSeparatorsAndBidiOverrides() {
    assertEquals("a\uFFFDb\uFFFDc\uFFFDd", SafeText.of("a\u2028b\u202Ec\u2067d"));
  }

  @Test
  void turnsTabIntoOneSpace() {
    assertEquals("a b", SafeText.of("a\tb"));
  }
}
