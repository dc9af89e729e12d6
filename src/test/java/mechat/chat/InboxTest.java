package mechat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import mechat.protocol.Frame;
import org.junit.jupiter.api.Test;

/**
 * A connection's input side without an actor: which frames are kept, when a batch is acked (§5.4)
 * and what the rate limit charges (§5.5), on a clock the test moves.
 */
class InboxTest {
  private static final long MS = 1_000_000L;
  private final AtomicInteger acks = new AtomicInteger();

  private Inbox inbox(int window, int rate, int burst) {
    Inbox inbox = new Inbox(window, rate, burst, 0);
    inbox.ackTo(acks::incrementAndGet);
    return inbox;
  }

  private static List<Frame> lines(String... texts) {
    List<Frame> frames = new ArrayList<>();
    for (String t : texts) frames.add(new Frame.Line(t));
    return frames;
  }

  private static List<Frame> drain(Inbox inbox) {
    List<Frame> taken = new ArrayList<>();
    while (inbox.hasFrame()) taken.add(inbox.take());
    return taken;
  }

  @Test
  void aBatchIsAckedOnlyOnceEveryFrameIsHandled() {
    Inbox inbox = inbox(2, 0, 1);
    inbox.onBatch(lines("a", "b"), true);
    assertFalse(inbox.ackIfReady(true), "frames still to handle");
    assertEquals(new Frame.Line("a"), inbox.peek());
    assertEquals(lines("a", "b"), drain(inbox));
    assertTrue(inbox.ackIfReady(true));
    assertEquals(1, acks.get());
    assertFalse(inbox.ackIfReady(true), "one ack per batch");
    assertEquals(1, acks.get());
  }

  @Test
  void theCallerCanHoldTheAck() {
    Inbox inbox = inbox(2, 0, 1);
    inbox.onBatch(lines(), true);
    assertFalse(inbox.ackIfReady(false), "held: a phase waiting, or output over its mark");
    assertEquals(0, acks.get());
    assertTrue(inbox.ackIfReady(true));
  }

  @Test
  void aFullWindowHoldsTheAckUntilThePartnerConfirms() {
    Inbox inbox = inbox(2, 0, 1);
    inbox.sent();
    inbox.sent();
    inbox.onBatch(lines(), true);
    assertFalse(inbox.ackIfReady(true), "two batches unconfirmed with a window of two");
    inbox.confirmed();
    assertTrue(inbox.ackIfReady(true));
  }

  @Test
  void aNewConversationStartsWithAnEmptyWindow() {
    Inbox inbox = inbox(1, 0, 1);
    inbox.sent();
    inbox.resetWindow();
    inbox.confirmed(); // a late confirmation of the old conversation's batch changes nothing
    inbox.sent();
    inbox.onBatch(lines(), true);
    assertFalse(inbox.ackIfReady(true), "the window of one is taken");
  }

  @Test
  void framesOfABatchTakenWhileClosingAreDroppedButStillAcked() {
    Inbox inbox = inbox(2, 0, 1);
    inbox.onBatch(lines("late"), false);
    assertFalse(inbox.hasFrame());
    assertTrue(inbox.ackIfReady(true), "the stream reads on until the socket closes");
  }

  @Test
  void clearForgetsFramesNotYetHandled() {
    Inbox inbox = inbox(2, 0, 1);
    inbox.onBatch(lines("a", "b"), true);
    inbox.take();
    inbox.clear();
    assertFalse(inbox.hasFrame());
  }

  @Test
  void theInputIsFinishedOnlyWhenEndedAndEveryFrameIsHandled() {
    Inbox inbox = inbox(2, 0, 1);
    inbox.onBatch(lines("last"), true);
    inbox.onEnded();
    assertFalse(inbox.isFinished(), "a line read before the end is still handled");
    inbox.take();
    assertTrue(inbox.isFinished());
  }

  @Test
  void withoutARateLimitEveryTokenIsFree() {
    Inbox inbox = inbox(2, 0, 1);
    for (int i = 0; i < 10_000; i++) assertEquals(0, inbox.takeToken(0));
  }

  @Test
  void theRateLimitGivesABurstThenSaysHowLongToWait() {
    Inbox inbox = inbox(2, 20, 40);
    for (int i = 0; i < 40; i++) assertEquals(0, inbox.takeToken(0), "token " + i);
    assertEquals(50 * MS, inbox.takeToken(0));
    assertEquals(20 * MS, inbox.takeToken(30 * MS));
    assertEquals(0, inbox.takeToken(50 * MS));
  }
}
