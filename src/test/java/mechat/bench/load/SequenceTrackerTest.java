package mechat.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import mechat.bench.load.SequenceTracker.Verdict;
import org.junit.jupiter.api.Test;

/** How a receiver classifies the sequence numbers it sees: in order, gap, late, duplicate. */
class SequenceTrackerTest {
  private final SequenceTracker t = new SequenceTracker();

  @Test
  void inOrderLeavesNothingMissing() {
    for (long s = 0; s < 100; s++) assertEquals(Verdict.IN_ORDER, t.accept(s));
    assertEquals(100, t.expected());
    assertEquals(0, t.missing());
  }

  @Test
  void aGapCountsWhatWasSkipped() {
    t.accept(0);
    t.accept(1);
    assertEquals(Verdict.AFTER_GAP, t.accept(5)); // 2, 3, 4 skipped
    assertEquals(3, t.missing());
    assertEquals(6, t.expected());
    assertEquals(Verdict.IN_ORDER, t.accept(6));
  }

  @Test
  void aDuplicateIsNotCountedTwice() {
    t.accept(0);
    t.accept(1);
    assertEquals(Verdict.DUPLICATE, t.accept(1));
    assertEquals(Verdict.DUPLICATE, t.accept(0));
    assertEquals(2, t.expected());
    assertEquals(0, t.missing());
  }

  @Test
  void aLateMessageFillsItsGap() {
    t.accept(0);
    t.accept(4); // gap 1..3
    assertEquals(Verdict.LATE, t.accept(2)); // splits it into 1 and 3
    assertEquals(2, t.missing());
    assertEquals(Verdict.LATE, t.accept(1));
    assertEquals(Verdict.LATE, t.accept(3));
    assertEquals(0, t.missing());
    assertEquals(Verdict.DUPLICATE, t.accept(3), "filled once, then it is a duplicate");
  }

  @Test
  void followsTheWireNumberAcross2To32() {
    long base = 0xffff_fff0L;
    t.accept(0x7000_0000L); // steps below 2^31 are forward jumps (gaps, not the point here)
    t.accept(0xe000_0000L);
    t.accept(base - 1);
    long missingBefore = t.missing();
    for (long s = base; s < base + 32; s++) {
      assertEquals(Verdict.IN_ORDER, t.accept(s & 0xffffffffL), "at " + Long.toHexString(s));
    }
    assertEquals(base + 32, t.expected());
    assertEquals(missingBefore, t.missing());
    assertEquals(Verdict.DUPLICATE, t.accept(base & 0xffffffffL), "behind, across the wrap");
  }
}
