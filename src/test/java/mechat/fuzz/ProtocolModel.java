package mechat.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import mechat.protocol.Frame;
import mechat.protocol.Notices;

/**
 * Protocol §3–§6 read literally, for one client F in a scene whose outcome the spec fixes: a
 * listener L waits (so F's first free name matches F with L), every other name is held by a pair
 * already chatting, and nobody else comes. F's lines give, line by line, what F must read, what L
 * must read, and where the server stops reading F (after {@code /quit}).
 */
final class ProtocolModel {
  private ProtocolModel() {}

  record Expected(List<String> fuzzer, List<String> listener, int readUpTo) {}

  private enum Phase {
    NAME,
    CHATTING,
    WAITING,
    CLOSED
  }

  /**
   * @param taken the names other clients hold, lower case
   */
  static Expected run(byte[] input, int max, String listener, Set<String> taken) {
    List<String> f = new ArrayList<>();
    List<String> l = new ArrayList<>();
    Phase phase = Phase.NAME;
    String name = null;
    int readUpTo = input.length;
    for (ReferenceDecoder.Framed framed : ReferenceDecoder.framed(input, input.length, max)) {
      Frame frame = framed.frame();
      if (frame == Frame.TooLong.INSTANCE) {
        f.add(Notices.MESSAGE_TOO_LONG); // §1: in every phase
      } else if (frame == Frame.Invalid.INSTANCE) {
        f.add(phase == Phase.NAME ? Notices.INVALID_USERNAME : Notices.INVALID_MESSAGE);
      } else if (phase == Phase.NAME) {
        String proposed = trim(((Frame.Line) frame).text()); // §3.2
        if (lower(proposed).equals("/quit")) { // §3.7
          f.add(Notices.BYE);
          phase = Phase.CLOSED;
        } else if (!isValidName(proposed)) {
          f.add(Notices.INVALID_USERNAME);
        } else if (taken.contains(lower(proposed))) { // §3.4
          f.add(Notices.USERNAME_TAKEN);
        } else { // §4.3: L has waited longest
          name = proposed;
          f.add(Notices.matchedTo(listener));
          l.add(Notices.matchedTo(name));
          phase = Phase.CHATTING;
        }
      } else {
        String text = ((Frame.Line) frame).text();
        if (trim(text).isEmpty()) continue; // §5.1: blank lines are ignored
        if (text.charAt(0) != '/') {
          if (phase == Phase.CHATTING) l.add(name + ": " + text); // §5.1, byte for byte
          else f.add(Notices.NOT_MATCHED); // §4.5
          continue;
        }
        switch (lower(trimEnd(text))) { // §6; trailing blanks forgiven (docs/protocol.md)
          case "/quit" -> {
            f.add(Notices.BYE);
            if (phase == Phase.CHATTING) partnerLeft(l);
            phase = Phase.CLOSED;
          }
          case "/next" -> {
            if (phase == Phase.CHATTING) partnerLeft(l); // §4.4: L is not offered to F again
            f.add(Notices.WAIT);
            phase = Phase.WAITING;
          }
          case "/help" -> f.add(Notices.HELP);
          default -> f.add(Notices.UNKNOWN_COMMAND);
        }
      }
      if (phase == Phase.CLOSED) {
        readUpTo = framed.due();
        break;
      }
    }
    if (phase == Phase.CHATTING) partnerLeft(l); // F's input ended: §7, F has left
    return new Expected(f, l, readUpTo);
  }

  /** After partner left, L rejoins the queue by itself, and nobody it may meet is waiting. */
  private static void partnerLeft(List<String> l) {
    l.add(Notices.PARTNER_LEFT);
    l.add(Notices.WAIT);
  }

  /** §3.3: 1 to 30 printable ASCII characters other than space, not starting with '/'. */
  static boolean isValidName(String s) {
    if (s.isEmpty() || s.length() > 30 || s.charAt(0) == '/') return false;
    return s.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  private static String trim(String s) {
    int from = 0;
    while (from < s.length() && isBlank(s.charAt(from))) from++;
    return trimEnd(s.substring(from));
  }

  private static String trimEnd(String s) {
    int to = s.length();
    while (to > 0 && isBlank(s.charAt(to - 1))) to--;
    return s.substring(0, to);
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  /** Commands and names are compared case-insensitively in ASCII: the words are ASCII. */
  private static String lower(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
    return sb.toString();
  }
}
