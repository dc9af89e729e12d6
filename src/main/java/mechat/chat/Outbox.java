package mechat.chat;

import java.util.ArrayDeque;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * A connection's output (owned by its {@link ConnectionActor}): a byte queue that feeds the
 * connection's {@code ActorSource} one element at a time, as the source acks each one, and a
 * high-water mark that decides when a partner's lines are confirmed.
 *
 * <p>Whatever is queued when the source acks goes out as one element, so many lines share one
 * write. Confirmations of partner lines taken over the mark are held until the queue drains below
 * it: that is what holds a fast sender back behind a slow reader.
 */
final class Outbox {
  private record HeldAck(
      ActorRef<ConnectionActor.ConversationEvent> to, ConnectionActor.Delivered ack) {}

  private final ConnectionStream.Handle out;
  private final int highWaterBytes;
  private final ArrayDeque<ByteString> queue = new ArrayDeque<>();
  private final ArrayDeque<HeldAck> heldAcks = new ArrayDeque<>();
  private int queuedBytes; // queued plus in flight
  private int inFlightBytes;
  private boolean closing;
  private boolean closeSent;
  private boolean ended;

  Outbox(ConnectionStream.Handle out, int highWaterBytes) {
    this.out = out;
    this.highWaterBytes = highWaterBytes;
  }

  /** Queues bytes (dropped once closing or ended); true when an element went to the stream. */
  boolean offer(ByteString bytes) {
    if (closing || ended || bytes.isEmpty()) return false;
    queue.add(bytes);
    queuedBytes += bytes.length();
    return pump();
  }

  /** Confirms a partner's lines now if there is room, else once the queue drains. */
  void confirm(ActorRef<ConnectionActor.ConversationEvent> to, ConnectionActor.Delivered ack) {
    if (isOverHighWater()) heldAcks.add(new HeldAck(to, ack));
    else to.tell(ack);
  }

  boolean isOverHighWater() {
    return queuedBytes > highWaterBytes;
  }

  /** An element is written but not yet acked by the stream. */
  boolean isWriting() {
    return inFlightBytes > 0;
  }

  boolean isEnded() {
    return ended;
  }

  boolean isClosing() {
    return closing;
  }

  /** The source acked the element in flight; true when the next one went to the stream. */
  boolean onWritten() {
    queuedBytes -= inFlightBytes;
    inFlightBytes = 0;
    if (!isOverHighWater()) releaseHeldAcks();
    return pump();
  }

  /** Completes the output after everything already queued; partners are confirmed at once. */
  void close() {
    closing = true;
    releaseHeldAcks();
    pump();
  }

  /** Fails the output at once: the connection is dropped. */
  void abort() {
    closing = true;
    closeSent = true;
    out.abort();
  }

  /** The stream is gone: nothing queued can be written any more, so forget it. */
  void onEnded() {
    ended = true;
    queue.clear();
    queuedBytes = 0;
    inFlightBytes = 0;
    releaseHeldAcks();
  }

  void releaseHeldAcks() {
    for (HeldAck h; (h = heldAcks.poll()) != null; ) h.to().tell(h.ack());
  }

  private boolean pump() {
    if (inFlightBytes > 0 || ended || closeSent) return false;
    if (!queue.isEmpty()) {
      ByteString chunk = queue.poll();
      while (!queue.isEmpty()) chunk = chunk.concat(queue.poll());
      inFlightBytes = chunk.length();
      out.write(chunk);
      return true;
    }
    if (closing) {
      closeSent = true;
      out.close();
    }
    return false;
  }
}
