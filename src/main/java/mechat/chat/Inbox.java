package mechat.chat;

import java.util.ArrayDeque;
import java.util.List;
import mechat.protocol.Frame;

/**
 * A connection's input (owned by its {@link ConnectionActor}): the frames of the batch being
 * handled, the ack that lets the stream send the next batch, the window of batches on their way to
 * the partner, and the rate limit (§5.4, §5.5).
 *
 * <p>The batch is acked only when every frame is handled, fewer than {@code window} batches of
 * lines are unconfirmed by the partner, and the actor says its phase and output allow it. Until
 * then the stream reads nothing more, and TCP flow control slows the client down. Times are {@link
 * System#nanoTime} values passed in, so tests choose them.
 */
final class Inbox {
  private final int window;

  /** Null when the rate limit is off. */
  private final TokenBucket rateLimit;

  private final ArrayDeque<Frame> frames = new ArrayDeque<>(2); // grows with the batch
  private Runnable ack = () -> {};
  private boolean unacked;
  private boolean ended;
  private int unconfirmed;

  /** {@code rate} 0 turns the rate limit off. */
  Inbox(int window, int rate, int burst, long nowNanos) {
    if (window < 1) throw new IllegalArgumentException("window must be >= 1");
    this.window = window;
    this.rateLimit = rate > 0 ? new TokenBucket(rate, burst, nowNanos) : null;
  }

  /** Where acks go: the stream, once it runs. */
  void ackTo(Runnable streamAck) {
    ack = streamAck;
  }

  /** A batch from the stream; its frames are dropped when {@code keep} is false (closing). */
  void onBatch(List<Frame> batch, boolean keep) {
    unacked = true;
    if (keep) frames.addAll(batch);
  }

  /** The client sent its last byte (or the connection broke). */
  void onEnded() {
    ended = true;
  }

  boolean hasFrame() {
    return !frames.isEmpty();
  }

  Frame peek() {
    return frames.peek();
  }

  Frame take() {
    return frames.poll();
  }

  /** Forgets the frames not yet handled. */
  void clear() {
    frames.clear();
  }

  /** The input has ended and every frame read before has been handled. */
  boolean isFinished() {
    return ended && frames.isEmpty();
  }

  /**
   * Takes a rate-limit token for a line that goes on: 0 when taken (or when there is no limit),
   * else how many nanoseconds until there is one.
   */
  long takeToken(long nowNanos) {
    if (rateLimit == null || rateLimit.tryTake(nowNanos)) return 0;
    return Math.max(1, rateLimit.nanosUntilNext(nowNanos));
  }

  /** A batch of lines has gone to the partner. */
  void sent() {
    unconfirmed++;
  }

  /** The partner has confirmed a batch. */
  void confirmed() {
    if (unconfirmed > 0) unconfirmed--;
  }

  /** The conversation is over: nothing is on its way any more. */
  void resetWindow() {
    unconfirmed = 0;
  }

  /**
   * Acks the batch, letting the stream send the next one, if every frame is handled, the window has
   * room and the caller allows it; true when it did.
   */
  boolean ackIfReady(boolean allowed) {
    if (!unacked || !frames.isEmpty() || unconfirmed >= window || !allowed) return false;
    unacked = false;
    ack.run();
    return true;
  }
}
