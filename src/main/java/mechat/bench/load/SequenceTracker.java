package mechat.bench.load;

/**
 * What one receiver has seen of its partner's sequence numbers: the next one it expects and the
 * numbers it skipped (gaps). A message is in order, after a gap (the skipped ones may still come,
 * late), late (fills a gap: reordered), or a duplicate (seen before). Protocol §5.3 allows only "in
 * order", so anything else fails the run.
 *
 * <p>The fast path (in order) is one comparison. Gaps are kept as ranges in two growing arrays; a
 * pathological relay that makes more than {@link #MAX_GAPS} of them only loses the ability to tell
 * a late message from a duplicate, never the count of what is missing.
 */
public final class SequenceTracker {
  public enum Verdict {
    IN_ORDER,
    AFTER_GAP,
    LATE,
    DUPLICATE
  }

  static final int MAX_GAPS = 4096;

  private long expected;
  private long[] gapLo = new long[0];
  private long[] gapHi = new long[0]; // exclusive
  private int gaps;
  private long untracked; // missing numbers in gaps that did not fit

  /** The highest sequence number seen plus one: everything below it arrived or is missing. */
  public long expected() {
    return expected;
  }

  /** Numbers below {@link #expected} that never arrived (so far). */
  long missing() {
    long n = untracked;
    for (int k = 0; k < gaps; k++) n += gapHi[k] - gapLo[k];
    return n;
  }

  /**
   * The wire carries the low 32 bits; the full number is the one nearest to what we expect (within
   * 2^31 either way), so long runs wrap cleanly.
   */
  long widen(long seq32) {
    long d = (seq32 - expected) & 0xffffffffL;
    return d < 0x80000000L ? expected + d : expected - (0x100000000L - d);
  }

  /** Records the arrival of the message whose header carried {@code seq32}. */
  public Verdict accept(long seq32) {
    long seq = widen(seq32);
    if (seq == expected) {
      expected++;
      return Verdict.IN_ORDER;
    }
    if (seq > expected) {
      addGap(expected, seq);
      expected = seq + 1;
      return Verdict.AFTER_GAP;
    }
    for (int k = 0; k < gaps; k++) {
      if (seq >= gapLo[k] && seq < gapHi[k]) {
        fill(k, seq);
        return Verdict.LATE;
      }
    }
    return Verdict.DUPLICATE;
  }

  private void addGap(long lo, long hi) {
    if (gaps == MAX_GAPS) {
      untracked += hi - lo;
      return;
    }
    if (gaps == gapLo.length) {
      int cap = Math.max(8, gaps * 2);
      gapLo = java.util.Arrays.copyOf(gapLo, cap);
      gapHi = java.util.Arrays.copyOf(gapHi, cap);
    }
    gapLo[gaps] = lo;
    gapHi[gaps] = hi;
    gaps++;
  }

  /** Removes {@code seq} from gap {@code k}, splitting it when seq lies inside. */
  private void fill(int k, long seq) {
    long lo = gapLo[k];
    long hi = gapHi[k];
    if (seq == lo) {
      gapLo[k] = lo + 1;
    } else if (seq == hi - 1) {
      gapHi[k] = hi - 1;
    } else {
      gapHi[k] = seq;
      addGap(seq + 1, hi);
    }
    if (gapLo[k] >= gapHi[k]) {
      gaps--;
      gapLo[k] = gapLo[gaps];
      gapHi[k] = gapHi[gaps];
    }
  }
}
