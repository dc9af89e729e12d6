package mechat.fuzz;

import java.util.Set;
import mechat.protocol.Notices;

/** Protocol §2 (and the notice of §9): what any line from the server may be. */
final class ServerLines {
  private ServerLines() {}

  private static final Set<String> NOTICES =
      Set.of(
          Notices.INVALID_USERNAME,
          Notices.USERNAME_TAKEN,
          Notices.WAIT,
          Notices.PARTNER_LEFT,
          Notices.MESSAGE_TOO_LONG,
          Notices.INVALID_MESSAGE,
          Notices.NOT_MATCHED,
          Notices.UNKNOWN_COMMAND,
          Notices.HELP,
          Notices.BYE,
          Notices.TIMEOUT,
          Notices.SERVER_FULL,
          Notices.TOO_MANY_CONNECTIONS,
          Notices.SERVER_SHUTTING_DOWN);

  /** Null when {@code line} is a valid server line, otherwise what is wrong with it. */
  static String problem(String line) {
    if (line.codePoints().anyMatch(ReferenceDecoder::isControl)) return "control character";
    int colon = line.indexOf(": ");
    if (colon < 0) {
      if (NOTICES.contains(line)) return null;
      if (line.startsWith(Notices.MATCHED_TO_PREFIX)) {
        String name = line.substring(Notices.MATCHED_TO_PREFIX.length());
        return ProtocolModel.isValidName(name) ? null : "matched to an invalid name";
      }
      return "not a notice of §2";
    }
    if (!ProtocolModel.isValidName(line.substring(0, colon)))
      return "chat line from an invalid name";
    String text = line.substring(colon + 2);
    boolean blank = text.chars().allMatch(c -> c == ' ' || c == '\t'); // §5.1: never forwarded
    return blank ? "blank chat line" : null;
  }
}
