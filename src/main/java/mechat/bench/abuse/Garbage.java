package mechat.bench.abuse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Random input for the garbage abusers. An invalid line starts with a byte sequence that no
 * continuation can make valid (a control character, an escape sequence, a C1 control, a byte that
 * is never UTF-8, an encoded surrogate, a code point past U+10FFFF), followed by random bytes other
 * than LF: the server must answer it {@code invalid username} or {@code invalid message} (protocol
 * §1) and never register it as a name. A text line is printable words with a space inside, so it is
 * a chat message, never a name or a command.
 */
final class Garbage {
  private static final byte[][] POISON = {
    {0x00}, // NUL
    {0x07}, // BEL
    {0x1b, '[', '2', 'J'}, // ANSI "clear screen"
    {0x1b, ']', '0', ';', 'x', 0x07}, // xterm "set window title"
    {0x7f}, // DEL
    {(byte) 0xc2, (byte) 0x85}, // U+0085, a C1 control in valid UTF-8
    {(byte) 0xc2, (byte) 0x9b}, // U+009B, the 8-bit CSI
    {(byte) 0x80}, // a continuation byte without a lead
    {(byte) 0xc0, (byte) 0xaf}, // overlong '/'
    {(byte) 0xff},
    {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // an encoded surrogate (U+D800)
    {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
    {'o', 'k', ' ', 0x08, 0x08}, // backspaces after harmless text
  };

  private Garbage() {}

  /** A line (without LF) the server must reject; at most about 300 bytes. */
  static byte[] invalidLine(Random random) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    line.writeBytes(POISON[random.nextInt(POISON.length)]);
    int n = random.nextInt(300);
    for (int i = 0; i < n; i++) {
      int b = random.nextInt(256);
      line.write(b == '\n' ? 0x1b : b);
    }
    return line.toByteArray();
  }

  /** Two or more printable words: a valid chat message, never a name or a command. */
  static String textLine(Random random) {
    StringBuilder sb = new StringBuilder("text");
    int words = 1 + random.nextInt(8);
    for (int w = 0; w < words; w++) {
      sb.append(' ');
      int len = 1 + random.nextInt(12);
      for (int i = 0; i < len; i++) sb.append((char) ('!' + random.nextInt(94)));
    }
    return sb.toString();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
