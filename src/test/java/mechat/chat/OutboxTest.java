package mechat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.pekko.actor.testkit.typed.javadsl.TestInbox;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * A connection's output without a stream: queued bytes go out as one element, and a partner's lines
 * are confirmed at once under the high-water mark and only once there is room over it (§5.4).
 */
class OutboxTest {
  private static final int MARK = 10;
  private final Outbox outbox = new Outbox(MARK);
  private final TestInbox<ConnectionActor.ConversationEvent> partner = TestInbox.create();

  private Outbox.Confirmation confirmation() {
    return new Outbox.Confirmation(partner.getRef(), new ConnectionActor.Delivered(null));
  }

  private static ByteString bytes(String s) {
    return ByteString.fromString(s);
  }

  @Test
  void whatIsQueuedGoesOutAsOneElement() {
    outbox.offer(bytes("a\n"));
    outbox.offer(bytes("b\n"));
    assertTrue(outbox.hasBytes());
    assertEquals(bytes("a\nb\n"), outbox.take());
    assertFalse(outbox.hasBytes());
  }

  @Test
  void underTheMarkAPartnerIsConfirmedAtOnce() {
    outbox.offer(bytes("0123456789")); // exactly the mark: not over it
    outbox.confirm(confirmation());
    assertTrue(partner.hasMessages());
  }

  @Test
  void overTheMarkTheConfirmationWaitsForTheSocketToTakeTheBytes() {
    outbox.offer(bytes("0123456789!"));
    assertTrue(outbox.isOverHighWater());
    outbox.confirm(confirmation());
    outbox.confirm(confirmation());
    assertFalse(partner.hasMessages(), "held while the reader does not read");
    outbox.take();
    assertEquals(2, partner.getAllReceived().size(), "released once the bytes are out");
    assertFalse(outbox.isOverHighWater());
  }

  @Test
  void closingKeepsWhatIsQueuedRefusesMoreAndConfirmsPartnersAtOnce() {
    outbox.offer(bytes("0123456789!"));
    outbox.confirm(confirmation());
    outbox.close();
    assertTrue(partner.hasMessages(), "a closing reader holds nobody back");
    outbox.offer(bytes("late\n"));
    assertEquals(bytes("0123456789!"), outbox.take());
    assertFalse(outbox.hasBytes());
  }

  @Test
  void aGoneSocketDiscardsTheBytesAndConfirmsPartners() {
    outbox.offer(bytes("0123456789!"));
    outbox.confirm(confirmation());
    outbox.discard();
    assertFalse(outbox.hasBytes());
    assertTrue(partner.hasMessages());
  }

  @Test
  void emptyBytesAreNotAnElement() {
    outbox.offer(ByteString.emptyByteString());
    assertFalse(outbox.hasBytes());
  }
}
