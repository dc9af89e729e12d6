package mechat.protocol;

import java.util.Locale;
import java.util.Optional;

/** The commands of protocol §6. A line is a command when its first character is '/'. */
public enum SlashCommand {
  NEXT,
  QUIT,
  HELP,
  UNKNOWN;

  /**
   * Parses a line: empty when it is not a command. Case-insensitive, no arguments; trailing spaces
   * and tabs are forgiven ("/quit " is /quit), anything else after the word is UNKNOWN.
   */
  public static Optional<SlashCommand> parse(String line) {
    if (line.isEmpty() || line.charAt(0) != '/') return Optional.empty();
    String word = Username.trim(line).toLowerCase(Locale.ROOT);
    switch (word) {
      case "/next":
        return Optional.of(NEXT);
      case "/quit":
        return Optional.of(QUIT);
      case "/help":
        return Optional.of(HELP);
      default:
        return Optional.of(UNKNOWN);
    }
  }
}
