package mechat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Protocol §3 (username rule) and §6 (command parsing), §2 (chat line grammar). */
class UsernameAndCommandTest {

  @Test
  void s3_validNames() {
    for (String ok :
        new String[] {"a", "Bob-1", "x".repeat(30), "!#$%&'()*+,-./:;<=>?@[]^_`{|}~", "a/b", "9"}) {
      assertTrue(Username.isValid(ok), ok);
    }
  }

  @Test
  void s3_invalidNames() {
    for (String bad :
        new String[] {
          "", "a b", "\u00e9t\u00e9", "x".repeat(31), "/help", "/", "a\tb", "a\u0001b"
        }) {
      assertFalse(Username.isValid(bad), bad);
    }
  }

  @Test
  void s3_trimsSpacesAndTabsOnly() {
    assertEquals("bob", Username.trim(" \t bob\t "));
    assertEquals("", Username.trim(" \t "));
    assertEquals("\u000bbob", Username.trim("\u000bbob"));
  }

  @Test
  void s3_namesCompareCaseInsensitively() {
    assertEquals(Username.key("Carol"), Username.key("cAROL"));
  }

  @Test
  void s6_commandsAreCaseInsensitiveAndTakeNoArguments() {
    assertEquals(Optional.of(SlashCommand.HELP), SlashCommand.parse("/HeLp"));
    assertEquals(Optional.of(SlashCommand.QUIT), SlashCommand.parse("/quit"));
    assertEquals(Optional.of(SlashCommand.NEXT), SlashCommand.parse("/NEXT"));
    assertEquals(Optional.of(SlashCommand.UNKNOWN), SlashCommand.parse("/quit now"));
    assertEquals(Optional.of(SlashCommand.UNKNOWN), SlashCommand.parse("/"));
    assertEquals(Optional.of(SlashCommand.UNKNOWN), SlashCommand.parse("/foo"));
  }

  @Test
  void s6_aSlashAnywhereButFirstIsText() {
    assertEquals(Optional.empty(), SlashCommand.parse(" /help"));
    assertEquals(Optional.empty(), SlashCommand.parse("see http://x/y"));
  }

  @Test
  void s2_chatLineSplitsAtTheFirstColonSpace() {
    assertEquals(Optional.of(new ChatLine("bob", "hi: there")), ChatLine.parse("bob: hi: there"));
    assertEquals(Optional.empty(), ChatLine.parse("matched to bob"));
    assertEquals("a: b", new ChatLine("a", "b").format());
  }
}
