package mechat.protocol;

/** The username rule of protocol §3: 1–30 ASCII letters, digits or punctuation, no leading '/'. */
public final class Username {
  public static final int MAX_LENGTH = 30;

  private Username() {}

  /** Trims leading and trailing spaces and tabs (and nothing else), as §3.2 says. */
  public static String trim(String line) {
    int start = 0;
    int end = line.length();
    while (start < end && isBlank(line.charAt(start))) start++;
    while (end > start && isBlank(line.charAt(end - 1))) end--;
    return line.substring(start, end);
  }

  /** True when the (already trimmed) name is valid. */
  public static boolean isValid(String name) {
    if (name.isEmpty() || name.length() > MAX_LENGTH || name.charAt(0) == '/') return false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 0x7f)
        return false; // printable ASCII 0x21..0x7e: letters, digits, punctuation
    }
    return true;
  }

  /** The key under which names are compared: case-insensitive, ASCII only. */
  public static String key(String name) {
    return name.toLowerCase(java.util.Locale.ROOT);
  }

  public static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }
}
