package mechat.protocol;

import java.util.Optional;

/** A chat line as the server sends it: {@code SENDER: TEXT} (protocol §2). */
public record ChatLine(String sender, String text) {
  public static final String SEPARATOR = ": ";

  public String format() {
    return sender + SEPARATOR + text;
  }

  /** A server line is a chat line when it holds ": "; otherwise it is a notice. */
  public static Optional<ChatLine> parse(String serverLine) {
    int i = serverLine.indexOf(SEPARATOR);
    if (i < 0) return Optional.empty();
    return Optional.of(new ChatLine(serverLine.substring(0, i), serverLine.substring(i + 2)));
  }
}
