package mechat.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The message format: what the sender writes, the receiver reads back and checks. */
class PayloadTest {
  private static final int SIZE = 64;
  private final Payload payload = new Payload(SIZE);

  private byte[] message(int sender, long seq, long stamp) {
    byte[] b = new byte[SIZE];
    payload.write(b, 0, sender, seq, stamp);
    return b;
  }

  /** What a receiver does with a message said to come from {@code sender}. */
  private boolean accepted(byte[] b, int len, int sender) {
    long seq = Payload.readSeq(b, 0, len);
    return seq >= 0 && payload.bodyMatches(b, 0, len, sender, seq, Payload.readStamp(b, 0));
  }

  @Test
  void writesExactlySizePrintableBytesThatReadBack() {
    long stamp = 0x0123456789abcdefL;
    byte[] b = message(7, 0x1234abcdL, stamp);
    String text = new String(b, StandardCharsets.US_ASCII);
    assertTrue(text.startsWith("1234abcd 0123456789abcdef "), text);
    for (int i = Payload.HEADER; i < SIZE; i++) {
      assertTrue(b[i] >= '!' && b[i] <= '~', "printable, no space, at " + i);
    }
    assertEquals(0x1234abcdL, Payload.readSeq(b, 0, SIZE));
    assertEquals(stamp, Payload.readStamp(b, 0));
    assertTrue(accepted(b, SIZE, 7));
  }

  @Test
  void keepsOnlyTheLow32BitsOfTheSequenceAndAnyClockValue() {
    long stamp = -42L; // System.nanoTime() may be negative
    byte[] b = message(1, 0x1_0000_0005L, stamp);
    assertEquals(5, Payload.readSeq(b, 0, SIZE));
    assertEquals(stamp, Payload.readStamp(b, 0));
    assertTrue(accepted(b, SIZE, 1));
  }

  @Test
  void detectsAWrongSender() {
    byte[] b = message(10, 99, 123_456_789L);
    for (int other = 0; other < 94; other++) {
      if (other != 10) assertFalse(accepted(b, SIZE, other), "as if from sender " + other);
    }
  }

  @Test
  void detectsAWrongLength() {
    byte[] longer = Arrays.copyOf(message(3, 5, 1000L), SIZE + 1);
    longer[SIZE] = longer[SIZE - 1];
    assertFalse(accepted(longer, SIZE + 1, 3), "one byte too many");
    assertFalse(accepted(message(3, 5, 1000L), SIZE - 1, 3), "one byte short");
    assertFalse(accepted(message(3, 5, 1000L), 20, 3), "shorter than a header");
  }

  @Test
  void detectsAnyFlippedByte() {
    byte[] good = message(4, 77, 987_654_321L);
    for (int i = 0; i < SIZE; i++) {
      for (int bit = 0; bit < 7; bit++) {
        byte[] b = good.clone();
        b[i] ^= (byte) (1 << bit);
        assertFalse(accepted(b, SIZE, 4), "byte " + i + " bit " + bit);
      }
    }
  }

  @Test
  void neighbouringMessagesHaveDifferentFillers() {
    byte[] a = message(4, 77, 1000L);
    byte[] b = message(4, 78, 1000L);
    assertNotEquals(
        new String(a, Payload.HEADER, SIZE - Payload.HEADER, StandardCharsets.US_ASCII),
        new String(b, Payload.HEADER, SIZE - Payload.HEADER, StandardCharsets.US_ASCII));
  }

  @Test
  void rejectsSizesItCannotFormat() {
    assertThrows(IllegalArgumentException.class, () -> new Payload(Payload.HEADER - 1));
    byte[] b = new byte[Payload.HEADER];
    new Payload(Payload.HEADER).write(b, 0, 0, 1, 2);
    assertEquals(1, Payload.readSeq(b, 0, b.length), "a message may be all header");
  }
}
