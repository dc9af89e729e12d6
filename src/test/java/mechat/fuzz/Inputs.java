package mechat.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Biased inputs for the framing of protocol §1: pure random bytes almost never make a line of
 * exactly the limit, a CR before an LF or a multi-byte character cut by the limit, so inputs are
 * built from tokens that do.
 */
final class Inputs {
  private Inputs() {}

  /** Lines a client may well send: commands in odd cases, names, the taken names of the scene. */
  static final String[] WORDS = {
    "/quit",
    "/QUIT",
    "/Quit \t",
    "/next",
    "/NeXt",
    "/next ",
    "/help",
    "/HELP\t",
    "/nope",
    "/",
    "//quit",
    "/quit now",
    " /help",
    "\t/next",
    "/qu\u0130t",
    "/n\u212Aext",
    "/qu\u0131t",
    "fz",
    "Fz-1",
    "F",
    "li",
    "LI",
    "ha",
    "HB",
    "x:y",
    "a: b",
    "n".repeat(30),
    "n".repeat(31),
    "  fz  ",
    "\tfz\t",
    "f z",
    "caf\u00e9",
    "hello",
    "http://x/y",
    "",
    " ",
    "\t",
    "a\tb"
  };

  private static final byte[][] INVALID_UTF8 = {
    {(byte) 0x80},
    {(byte) 0xbf},
    {(byte) 0xc2},
    {(byte) 0xe6, (byte) 0x97}, // lone, truncated
    {(byte) 0xf0, (byte) 0x9f, (byte) 0x98},
    {(byte) 0xc0, (byte) 0xaf},
    {(byte) 0xc1, (byte) 0xbf},
    {(byte) 0xe0, (byte) 0x80, (byte) 0xaf},
    {(byte) 0xf0, (byte) 0x80, (byte) 0x80, (byte) 0xaf},
    {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
    {(byte) 0xed, (byte) 0xbf, (byte) 0xbf}, // surrogates
    {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
    {(byte) 0xf5},
    {(byte) 0xfe},
    {(byte) 0xff},
    {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}
  };

  /**
   * Valid code points that matter: C1 controls, NBSP, BOM, U+FFFD, noncharacters, line separators.
   */
  private static final int[] SPECIAL_CODE_POINTS = {
    0x80, 0x85, 0x9b, 0x9f, 0xa0, 0xad, 0x7ff, 0x800, 0x2028, 0x2029, 0x202e, 0xd7ff, 0xe000,
    0xfeff, 0xfffd, 0xfffe, 0xffff, 0x10000, 0x1f600, 0x10ffff
  };

  /** One input for a decoder with limit {@code max}: 0 to 40 tokens (rarely up to 120). */
  static byte[] draw(SplittableRandom r, int max) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int tokens = r.nextInt(8) == 0 ? r.nextInt(121) : r.nextInt(41);
    for (int i = 0; i < tokens; i++) out.writeBytes(token(r, max));
    return out.toByteArray();
  }

  static byte[] token(SplittableRandom r, int max) {
    int pick = r.nextInt(100);
    if (pick < 20) return ascii(r, 1 + r.nextInt(8));
    if (pick < 34) return new byte[] {'\n'};
    if (pick < 41) return new byte[] {'\r', '\n'};
    if (pick < 44) return new byte[] {'\r'};
    if (pick < 47) return new byte[] {(byte) (r.nextBoolean() ? ' ' : '\t')};
    if (pick < 51) return new byte[] {(byte) (r.nextInt(9) == 0 ? 0x7f : r.nextInt(0x20))};
    if (pick < 52) return "\u001b[2J".getBytes(StandardCharsets.UTF_8);
    if (pick < 60) return utf8(codePoint(r));
    if (pick < 67) return INVALID_UTF8[r.nextInt(INVALID_UTF8.length)].clone();
    if (pick < 80) return WORDS[r.nextInt(WORDS.length)].getBytes(StandardCharsets.UTF_8);
    if (pick < 90) return run(r, max);
    byte[] noise = new byte[1 + r.nextInt(6)];
    for (int i = 0; i < noise.length; i++) noise[i] = (byte) r.nextInt(256);
    return noise;
  }

  /** A run of one character whose byte length is at or near the limit, or anywhere up to 3x. */
  private static byte[] run(SplittableRandom r, int max) {
    int bytes = r.nextInt(3) == 0 ? r.nextInt(3 * max + 2) : Math.max(0, max - 2 + r.nextInt(5));
    byte[] unit = utf8(new int[] {'x', 0xe9, 0x65e5, 0x1f600}[r.nextInt(4)]);
    byte[] out = new byte[bytes];
    for (int i = 0; i < bytes; i++) out[i] = unit[i % unit.length]; // may end mid-character
    return out;
  }

  private static byte[] ascii(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (0x20 + r.nextInt(0x5f));
    return b;
  }

  private static int codePoint(SplittableRandom r) {
    return switch (r.nextInt(5)) {
      case 0 -> SPECIAL_CODE_POINTS[r.nextInt(SPECIAL_CODE_POINTS.length)];
      case 1 -> 0x80 + r.nextInt(0x780); // two bytes, C1 controls included
      case 2 -> {
        int c = 0x800 + r.nextInt(0xf800);
        yield c >= 0xd800 && c <= 0xdfff ? 0xfffd : c; // three bytes, no surrogates
      }
      case 3 -> 0x10000 + r.nextInt(0x100000); // four bytes
      default -> 0x20 + r.nextInt(0x5f);
    };
  }

  static byte[] utf8(int codePoint) {
    return new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Where a byte stream is cut into reads: none, every byte, or a few random places (some twice).
   */
  static int[] cuts(SplittableRandom r, int length) {
    int mode = r.nextInt(6);
    if (mode == 0 || length < 2) return new int[0];
    if (mode == 1) {
      int[] all = new int[length - 1];
      for (int i = 0; i < all.length; i++) all[i] = i + 1;
      return all;
    }
    int[] some = new int[1 + r.nextInt(Math.min(length, 24))];
    for (int i = 0; i < some.length; i++)
      some[i] = r.nextInt(length + 1); // 0 or length: empty reads
    Arrays.sort(some);
    return some;
  }

  /** The reads {@code input} is cut into at {@code cuts} (sorted; repeats give empty reads). */
  static List<byte[]> chunks(byte[] input, int[] cuts) {
    List<byte[]> chunks = new ArrayList<>(cuts.length + 1);
    int from = 0;
    for (int cut : cuts) {
      chunks.add(Arrays.copyOfRange(input, from, cut));
      from = cut;
    }
    chunks.add(Arrays.copyOfRange(input, from, input.length));
    return chunks;
  }

  /** Bytes as a Java-like string literal, printable ASCII as is; long inputs are cut short. */
  static String show(byte[] bytes) {
    int shown = Math.min(bytes.length, 600);
    String s = literal(Arrays.copyOf(bytes, shown));
    return shown == bytes.length ? s : s + "... (" + bytes.length + " bytes)";
  }

  private static String literal(byte[] bytes) {
    StringBuilder sb = new StringBuilder("\"");
    for (byte b : bytes) {
      int c = b & 0xff;
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c >= 0x20 && c < 0x7f) sb.append((char) c);
          else sb.append(String.format("\\x%02x", c));
        }
      }
    }
    return sb.append('"').toString();
  }

  /**
   * Shrink candidates for a case made of bytes cut into reads: first the same bytes in one read or
   * byte by byte, then the bytes with ever smaller ranges removed (cuts follow the bytes).
   */
  static <T> Iterator<T> shrinkBytes(byte[] input, int[] cuts, Rebuild<T> rebuild) {
    List<Supplier<T>> simple = new ArrayList<>();
    if (cuts.length > 0) simple.add(() -> rebuild.with(input, new int[0]));
    if (cuts.length > 1) {
      for (int drop = 0; drop < cuts.length; drop++) {
        int d = drop;
        simple.add(() -> rebuild.with(input, without(cuts, d)));
      }
    }
    Iterator<Supplier<T>> first = simple.iterator();
    return new Iterator<T>() {
      int size = Math.max(1, input.length / 2);
      int at = 0;

      @Override
      public boolean hasNext() {
        return first.hasNext() || (size >= 1 && at < input.length && input.length > 0);
      }

      @Override
      public T next() {
        if (first.hasNext()) return first.next().get();
        if (!hasNext()) throw new NoSuchElementException();
        int from = at;
        int to = Math.min(input.length, at + size);
        at += size;
        if (at >= input.length) {
          size /= 2;
          at = 0;
        }
        return rebuild.with(removeRange(input, from, to), shiftCuts(cuts, from, to));
      }
    };
  }

  interface Rebuild<T> {
    T with(byte[] input, int[] cuts);
  }

  private static int[] without(int[] a, int index) {
    int[] out = new int[a.length - 1];
    System.arraycopy(a, 0, out, 0, index);
    System.arraycopy(a, index + 1, out, index, a.length - index - 1);
    return out;
  }

  private static byte[] removeRange(byte[] in, int from, int to) {
    byte[] out = new byte[in.length - (to - from)];
    System.arraycopy(in, 0, out, 0, from);
    System.arraycopy(in, to, out, from, in.length - to);
    return out;
  }

  private static int[] shiftCuts(int[] cuts, int from, int to) {
    int[] out = new int[cuts.length];
    for (int i = 0; i < cuts.length; i++) {
      int c = cuts[i];
      out[i] = c <= from ? c : Math.max(from, c - (to - from));
    }
    return out;
  }
}
