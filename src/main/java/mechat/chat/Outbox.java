package mechat.chat;

import java.util.ArrayDeque;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * A connection's output, as its {@link ConnectionStage} holds it: the bytes not yet taken by the
 * socket, a high-water mark, and the confirmations of partner lines held while the queue is over it
 * (§5.4). Whatever is queued when the socket asks for more goes out as one element, so many lines
 * share one write. A partner's lines are confirmed at once while the queue is under the mark; over
 * it, the confirmation waits until the socket has taken enough: that is what holds a fast sender
 * back behind a slow reader. Pure: the stage moves the bytes and sends what it releases.
 */
final class Outbox {
  /** A confirmation to send the partner's connection once there is room. */
  record Confirmation(
      ActorRef<ConnectionActor.ConversationEvent> to, ConnectionActor.Delivered delivered) {
    void send() {
      to.tell(delivered);
    }
  }

  private final int highWaterBytes;
  // small at first: an idle connection holds one of these
  private final ArrayDeque<ByteString> queue = new ArrayDeque<>(2);

  /** Made when first needed: most connections never hold a confirmation. */
  private ArrayDeque<Confirmation> held;

  private int queuedBytes;
  private boolean closing;

  Outbox(int highWaterBytes) {
    this.highWaterBytes = highWaterBytes;
  }

  /** Queues bytes; after {@link #close()} they are dropped. */
  void offer(ByteString bytes) {
    if (closing || bytes.isEmpty()) return;
    queue.add(bytes);
    queuedBytes += bytes.length();
  }

  /** Sends the confirmation now if the queue is under the mark, else holds it. */
  void confirm(Confirmation confirmation) {
    if (closing || !isOverHighWater()) {
      confirmation.send();
    } else {
      if (held == null) held = new ArrayDeque<>();
      held.add(confirmation);
    }
  }

  boolean hasBytes() {
    return !queue.isEmpty();
  }

  /**
   * Everything queued, as one element for the socket; then the confirmations the room made free are
   * sent.
   */
  ByteString take() {
    ByteString chunk = queue.poll();
    while (!queue.isEmpty()) chunk = chunk.concat(queue.poll());
    queuedBytes = 0;
    releaseHeld();
    return chunk;
  }

  boolean isOverHighWater() {
    return queuedBytes > highWaterBytes;
  }

  boolean isClosing() {
    return closing;
  }

  /** No more bytes are taken; what is queued still goes out, and partners are confirmed now. */
  void close() {
    closing = true;
    releaseHeld();
  }

  /** The socket is gone: nothing queued will be written; partners are confirmed now. */
  void discard() {
    closing = true;
    queue.clear();
    queuedBytes = 0;
    releaseHeld();
  }

  private void releaseHeld() {
    if (held == null) return;
    for (Confirmation c; (c = held.poll()) != null; ) c.send();
  }
}
