package mechat.bench.load;

import java.util.Arrays;

/**
 * The text of one benchmark message: exactly {@code size} bytes of printable ASCII, so the server
 * relays it untouched (protocol §1 and §5.1) and the receiver can check every byte.
 *
 * <pre>
 *   SSSSSSSS TTTTTTTTTTTTTTTT FILLER...
 * </pre>
 *
 * S is the sender's sequence number (8 hex digits, the low 32 bits: the receiver widens it against
 * what it expects next); T is the send time ({@link System#nanoTime}, 16 hex digits, two's
 * complement, so a negative clock survives the round trip); FILLER is a run of the 94 printable
 * characters {@code '!'..'~'} whose starting point depends on the sender, the sequence number and
 * the timestamp. A line cut short or run together with another, a byte changed in the filler, a
 * message of another sender (two senders whose numbers differ by less than 94 never share a
 * starting point), and any changed hex digit in the header (it moves the starting point, see {@link
 * #fillerStart}) all show up as a filler that does not match.
 *
 * <p>The filler is copied from one precomputed pattern and compared with a vectorised {@link
 * Arrays#equals}, so writing and checking a message allocates nothing.
 */
public final class Payload {
  /** "SSSSSSSS TTTTTTTTTTTTTTTT ": what every message starts with. */
  static final int HEADER = 26;

  public static final int MIN_SIZE = HEADER;

  /** Far above the server's default line limit (4096); stops a typo from allocating gigabytes. */
  public static final int MAX_SIZE = 1 << 20;

  private static final int ALPHABET = 94; // '!' (0x21) .. '~' (0x7e)
  private static final byte[] HEX =
      "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final int size;

  /** The alphabet repeated, long enough that every starting point has a whole filler after it. */
  private final byte[] pattern;

  public Payload(int size) {
    if (size < MIN_SIZE || size > MAX_SIZE) {
      throw new IllegalArgumentException(
          "size must be " + MIN_SIZE + ".." + MAX_SIZE + ": " + size);
    }
    this.size = size;
    this.pattern = new byte[ALPHABET + size - HEADER];
    for (int k = 0; k < pattern.length; k++) {
      pattern[k] = (byte) ('!' + k % ALPHABET);
    }
  }

  int size() {
    return size;
  }

  /**
   * Where the filler of a message starts in the pattern. 94 = 2 * 47, and 31, 7 and every power of
   * 16 are prime to 47, so changing one hex digit of the sequence number or the timestamp (by at
   * most 15 * 16^k) always moves the start, and so do senders that differ by less than 94.
   */
  static int fillerStart(int sender, long seq, long stamp) {
    long s = sender * 31L + (seq & 0xffffffffL) * 7L + Math.floorMod(stamp, (long) ALPHABET);
    return (int) Math.floorMod(s, (long) ALPHABET);
  }

  /** Writes the {@code size} bytes of message {@code seq} of {@code sender} at {@code dst[off]}. */
  public void write(byte[] dst, int off, int sender, long seq, long stampNanos) {
    putHex(dst, off, seq & 0xffffffffL, 8);
    dst[off + 8] = ' ';
    putHex(dst, off + 9, stampNanos, 16);
    dst[off + 25] = ' ';
    System.arraycopy(
        pattern, fillerStart(sender, seq, stampNanos), dst, off + HEADER, size - HEADER);
  }

  /**
   * The 32-bit sequence number of the message in {@code b[off, off+len)}, or -1 when the header is
   * unreadable (too short, not hex, spaces missing): such a message cannot be placed at all.
   */
  public static long readSeq(byte[] b, int off, int len) {
    if (len < HEADER || b[off + 8] != ' ' || b[off + 25] != ' ') return -1;
    long seq = parseHex(b, off, 8);
    if (seq < 0 || parseHex(b, off + 9, 8) < 0 || parseHex(b, off + 17, 8) < 0) return -1;
    return seq;
  }

  /** The send time of a message whose header {@link #readSeq} accepted. */
  public static long readStamp(byte[] b, int off) {
    return (parseHex(b, off + 9, 8) << 32) | parseHex(b, off + 17, 8);
  }

  /**
   * True when the message has exactly {@code size} bytes and the filler of (sender, seq, stamp),
   * seq and stamp as read from its header.
   */
  public boolean bodyMatches(byte[] b, int off, int len, int sender, long seq, long stamp) {
    if (len != size) return false;
    int from = fillerStart(sender, seq, stamp);
    return Arrays.equals(b, off + HEADER, off + size, pattern, from, from + size - HEADER);
  }

  private static void putHex(byte[] dst, int off, long v, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      dst[off + i] = HEX[(int) (v & 15)];
      v >>>= 4;
    }
  }

  /** Up to 8 lower-case hex digits as a non-negative number, or -1 on any other byte. */
  private static long parseHex(byte[] b, int off, int digits) {
    long v = 0;
    for (int i = 0; i < digits; i++) {
      int c = b[off + i];
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else {
        return -1;
      }
      v = (v << 4) | d;
    }
    return v;
  }
}
