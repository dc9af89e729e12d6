package mechat.client;

import mechat.protocol.LineDecoder;

/**
 * Makes received text safe to print on a terminal. The server already rejects control characters
 * (protocol §1); this is defence in depth against a faulty or hostile server, so that no received
 * byte can move the cursor, change colours or retitle the window.
 */
public final class SafeText {
  /** What a replaced character becomes: visible, and not itself a control character. */
  public static final char REPLACEMENT = '\uFFFD';

  private SafeText() {}

  /**
   * Replaces every control character of protocol §1 (ESC among them), and the Unicode line
   * separators and bidirectional overrides that can reorder or break a displayed line. A TAB
   * becomes one space, so that columns stay predictable.
   */
  public static String of(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      char safe = c == '\t' ? ' ' : isUnsafe(c) ? REPLACEMENT : c;
      if (safe != c && out == null) out = new StringBuilder(text.length()).append(text, 0, i);
      if (out != null) out.append(safe);
    }
    return out == null ? text : out.toString();
  }

  static boolean isUnsafe(char c) {
    return LineDecoder.isControl(c)
        || c == '\u2028' // line separator
        || c == '\u2029' // paragraph separator
        || (c >= '\u202A' && c <= '\u202E') // bidi embeddings and overrides
        || (c >= '\u2066' && c <= '\u2069'); // bidi isolates
  }
}
