package mechat.chat;

/**
 * The rate limit of one connection (protocol §5.5): {@code rate} tokens a second, at most {@code
 * burst} saved up, full at the start. Times are {@link System#nanoTime} values passed in, so tests
 * choose them.
 */
final class TokenBucket {
  private final double nanosPerToken;
  private final int burst;
  private double tokens;
  private long last;

  TokenBucket(int rate, int burst, long nowNanos) {
    if (rate < 1 || burst < 1) throw new IllegalArgumentException("rate and burst must be >= 1");
    this.nanosPerToken = 1e9 / rate;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Takes a token if there is one. */
  boolean tryTake(long nowNanos) {
    refill(nowNanos);
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }

  /** How long until a token is there (0: now). */
  long nanosUntilNext(long nowNanos) {
    refill(nowNanos);
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) * nanosPerToken);
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - last;
    if (elapsed <= 0) return;
    tokens = Math.min(burst, tokens + elapsed / nanosPerToken);
    last = nowNanos;
  }
}
