package mechat.protocol;

/** One input line as the {@link LineDecoder} classifies it (protocol §1). */
public sealed interface Frame {

  /** A valid UTF-8 line without control characters, terminator stripped. */
  record Line(String text) implements Frame {
    /** Empty, or only spaces and tabs: ignored in every phase but the username phase. */
    public boolean isBlank() {
      for (int i = 0; i < text.length(); i++) {
        if (!Username.isBlank(text.charAt(i))) return false;
      }
      return true;
    }
  }

  /** A line longer than the limit; reported once, as soon as the limit is passed. */
  enum TooLong implements Frame {
    INSTANCE
  }

  /** A line that is not valid UTF-8 or holds a control character. */
  enum Invalid implements Frame {
    INSTANCE
  }

  /**
   * A WebSocket binary message: {@code invalid message} in every phase, the name phase too (§10).
   */
  enum Binary implements Frame {
    INSTANCE
  }
}
