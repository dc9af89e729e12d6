package mechat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-connection rate limit: 20 a second, bursts of 40, on a clock the test moves. */
class TokenBucketTest {
  private static final long MS = 1_000_000L;
  private final TokenBucket bucket = new TokenBucket(20, 40, 0);

  @Test
  void startsWithABurstThenRefusesUntilATokenIsDue() {
    for (int i = 0; i < 40; i++) assertTrue(bucket.tryTake(0), "token " + i);
    assertFalse(bucket.tryTake(0));
    assertEquals(50 * MS, bucket.nanosUntilNext(0));
    assertEquals(20 * MS, bucket.nanosUntilNext(30 * MS));
    assertFalse(bucket.tryTake(49 * MS));
    assertTrue(bucket.tryTake(50 * MS));
    assertFalse(bucket.tryTake(50 * MS));
  }

  @Test
  void keepsTheRateOverTime() {
    int taken = 0;
    for (long t = 0; t <= 10_000 * MS; t += MS) {
      while (bucket.tryTake(t)) taken++;
    }
    assertEquals(40 + 200, taken, "the burst, then 20 a second for 10 s");
  }

  @Test
  void savesNoMoreThanTheBurst() {
    for (int i = 0; i < 40; i++) bucket.tryTake(0);
    long hourLater = 3_600_000 * MS;
    int taken = 0;
    while (bucket.tryTake(hourLater)) taken++;
    assertEquals(40, taken);
    assertEquals(0, bucket.nanosUntilNext(hourLater + 50 * MS));
  }
}
