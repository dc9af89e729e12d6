package mechat.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mechat.protocol.Frame;

/**
 * Protocol §1 read literally, for a whole input at once: the model the real decoder, fed the same
 * bytes in any reads, must agree with. It shares no code with {@code LineDecoder}; UTF-8 is checked
 * against the table of well-formed byte sequences (Unicode §3.9, Table 3-7).
 */
final class ReferenceDecoder {
  private ReferenceDecoder() {}

  /** A frame, and how many bytes must have been read for it to be due. */
  record Framed(Frame frame, int due) {}

  /** The frames of the first {@code length} bytes. */
  static List<Frame> frames(byte[] input, int length, int max) {
    List<Frame> out = new ArrayList<>();
    for (Framed f : framed(input, length, max)) out.add(f.frame());
    return out;
  }

  /**
   * Every LF ends a line, due once its LF is read; a CR right before the LF is not part of the
   * line. A line over {@code max} bytes is TooLong, due as soon as the limit is passed: at byte
   * {@code max + 1} of the line, or one later when that byte is a CR (it may be the CR of a CRLF).
   * An unfinished line at the end is no frame, unless it is already due as TooLong.
   */
  static List<Framed> framed(byte[] input, int length, int max) {
    List<Framed> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < length; i++) {
      if (input[i] == '\n') {
        Frame frame = line(Arrays.copyOfRange(input, start, i), max);
        int due = frame == Frame.TooLong.INSTANCE ? tooLongDue(input, start, max) : i + 1;
        out.add(new Framed(frame, due));
        start = i + 1;
      }
    }
    if (length - start > max) {
      int due = tooLongDue(input, start, max);
      if (due <= length) out.add(new Framed(Frame.TooLong.INSTANCE, due));
    }
    return out;
  }

  private static int tooLongDue(byte[] input, int start, int max) {
    return start + max + 1 + (input[start + max] == '\r' ? 1 : 0);
  }

  private static Frame line(byte[] bytes, int max) {
    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    if (n > max) return Frame.TooLong.INSTANCE;
    byte[] line = Arrays.copyOf(bytes, n);
    if (!isWellFormedUtf8(line)) return Frame.Invalid.INSTANCE;
    String text = new String(line, StandardCharsets.UTF_8);
    return text.codePoints().anyMatch(ReferenceDecoder::isControl)
        ? Frame.Invalid.INSTANCE
        : new Frame.Line(text);
  }

  /** U+0000–U+001F except TAB, U+007F, U+0080–U+009F. */
  static boolean isControl(int codePoint) {
    return (codePoint < 0x20 && codePoint != '\t') || (codePoint >= 0x7f && codePoint <= 0x9f);
  }

  static boolean isWellFormedUtf8(byte[] b) {
    int i = 0;
    while (i < b.length) {
      int c = b[i] & 0xff;
      int need;
      int lo = 0x80;
      int hi = 0xbf;
      if (c <= 0x7f) {
        i++;
        continue;
      } else if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
      } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
      } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
      } else {
        return false;
      }
      if (i + need >= b.length) return false; // truncated at the end of the line
      int second = b[i + 1] & 0xff;
      if (second < lo || second > hi) return false;
      for (int k = 2; k <= need; k++) {
        int cont = b[i + k] & 0xff;
        if (cont < 0x80 || cont > 0xbf) return false;
      }
      i += need + 1;
    }
    return true;
  }
}
