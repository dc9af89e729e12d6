package mechat.chat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import mechat.testing.TestServers;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * One conversation between two probe connections (protocol §5, §6): greeting, routing, the order of
 * {@code PartnerLeft} behind routed lines, and the hand-over to the matchmaker.
 */
class ConversationActorTest {
  private static final ActorTestKit testKit = ActorTestKit.create(TestServers.config());
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Only to assert that nothing arrives; never a synchronisation point. */
  private static final Duration QUIET = Duration.ofMillis(300);

  private static final AtomicInteger ids = new AtomicInteger();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Two probe sides, a matchmaker probe, and the conversation between alice (a) and bob (b). */
  private static final class Fixture {
    final TestProbe<ConnectionActor.ConversationEvent> a =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class);
    final TestProbe<ConnectionActor.ConversationEvent> b =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class);
    final TestProbe<MatchmakerActor.Command> matchmaker =
        testKit.createTestProbe(MatchmakerActor.Command.class);
    final ActorRef<ConnectionActor.ConversationEvent> aRef;
    final ActorRef<ConnectionActor.ConversationEvent> bRef;
    final ActorRef<ConversationActor.Command> conversation;

    Fixture() {
      this(null, null);
    }

    /** With {@code aRef}/{@code bRef} given, those refs are the sides (e.g. stoppable ones). */
    Fixture(
        ActorRef<ConnectionActor.ConversationEvent> aSide,
        ActorRef<ConnectionActor.ConversationEvent> bSide) {
      aRef = aSide != null ? aSide : a.ref();
      bRef = bSide != null ? bSide : b.ref();
      conversation =
          testKit.spawn(
              ConversationActor.create(aRef, "alice", bRef, "bob", matchmaker.ref().narrow()),
              "conversation-" + ids.incrementAndGet());
    }

    /** Consumes the greeting of both sides. */
    Fixture greeted() {
      a.expectMessage(WAIT, new ConnectionActor.Matched(conversation, "bob"));
      b.expectMessage(WAIT, new ConnectionActor.Matched(conversation, "alice"));
      return this;
    }
  }

  /** A side that can be stopped: forwards everything to {@code probe}. */
  private static ActorRef<ConnectionActor.ConversationEvent> stoppableSide(
      TestProbe<ConnectionActor.ConversationEvent> probe) {
    Behavior<ConnectionActor.ConversationEvent> forward =
        Behaviors.receiveMessage(
            m -> {
              probe.ref().tell(m);
              return Behaviors.same();
            });
    return testKit.spawn(forward, "side-" + ids.incrementAndGet());
  }

  @Test
  void s4_3_bothSidesAreToldTheOthersName() {
    Fixture f = new Fixture();
    f.a.expectMessage(WAIT, new ConnectionActor.Matched(f.conversation, "bob"));
    f.b.expectMessage(WAIT, new ConnectionActor.Matched(f.conversation, "alice"));
    f.matchmaker.expectNoMessage(QUIET);
  }

  @Test
  void s5_1_linesAreDeliveredToThePartnerWithTheSendersNameAndAckedToTheSender() {
    Fixture f = new Fixture().greeted();
    f.conversation.tell(new ConversationActor.Say(f.aRef, List.of("hello", "how are you?")));
    f.b.expectMessage(
        WAIT,
        new ConnectionActor.Deliver(
            f.conversation, "alice", List.of("hello", "how are you?"), f.aRef));
    f.conversation.tell(new ConversationActor.Say(f.bRef, List.of("fine")));
    f.a.expectMessage(
        WAIT, new ConnectionActor.Deliver(f.conversation, "bob", List.of("fine"), f.bRef));
    f.a.expectNoMessage(QUIET); // nothing is echoed to the sender
    f.b.expectNoMessage(Duration.ZERO);
  }

  @Test
  void s5_1_linesFromAStrangerAreIgnored() {
    Fixture f = new Fixture().greeted();
    TestProbe<ConnectionActor.ConversationEvent> stranger =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class);
    f.conversation.tell(new ConversationActor.Say(stranger.ref(), List.of("spam")));
    f.conversation.tell(new ConversationActor.Leave(stranger.ref(), false));
    f.conversation.tell(new ConversationActor.Say(f.aRef, List.of("hi")));
    f.b.expectMessage(
        WAIT, new ConnectionActor.Deliver(f.conversation, "alice", List.of("hi"), f.aRef));
    f.a.expectNoMessage(QUIET);
    stranger.expectNoMessage(Duration.ZERO);
    f.matchmaker.expectNoMessage(Duration.ZERO);
  }

  @Test
  void s5_3_partnerLeftComesAfterEveryLineSentBeforeNext() {
    Fixture f = new Fixture().greeted();
    for (int i = 1; i <= 5; i++) {
      f.conversation.tell(new ConversationActor.Say(f.aRef, List.of("line " + i)));
    }
    f.conversation.tell(new ConversationActor.Leave(f.aRef, true));
    for (int i = 1; i <= 5; i++) {
      f.b.expectMessage(
          WAIT, new ConnectionActor.Deliver(f.conversation, "alice", List.of("line " + i), f.aRef));
    }
    f.b.expectMessage(WAIT, new ConnectionActor.PartnerLeft(f.conversation));
    f.a.expectMessage(WAIT, new ConnectionActor.LeaveConfirmed(f.conversation));
    f.matchmaker.expectMessage(WAIT, new MatchmakerActor.ConversationEnded(f.bRef, f.aRef, true));
  }

  @Test
  void s6_quitEndsTheConversationWithoutNext() {
    Fixture f = new Fixture().greeted();
    f.conversation.tell(new ConversationActor.Say(f.bRef, List.of("bye then")));
    f.conversation.tell(new ConversationActor.Leave(f.bRef, false));
    f.a.expectMessage(
        WAIT, new ConnectionActor.Deliver(f.conversation, "bob", List.of("bye then"), f.bRef));
    f.a.expectMessage(WAIT, new ConnectionActor.PartnerLeft(f.conversation));
    f.b.expectMessage(WAIT, new ConnectionActor.LeaveConfirmed(f.conversation));
    f.matchmaker.expectMessage(WAIT, new MatchmakerActor.ConversationEnded(f.aRef, f.bRef, false));
  }

  @Test
  void s5_3_linesOfTheStayerAfterTheEndAreReportedNotDelivered() {
    Fixture f = new Fixture().greeted();
    f.conversation.tell(new ConversationActor.Leave(f.aRef, false));
    f.b.expectMessage(WAIT, new ConnectionActor.PartnerLeft(f.conversation));
    f.conversation.tell(
        new ConversationActor.Say(f.bRef, List.of("are you", "still there?", "hello")));
    f.b.expectMessage(WAIT, new ConnectionActor.NotDelivered(f.conversation, 3));
    f.a.expectMessage(WAIT, new ConnectionActor.LeaveConfirmed(f.conversation));
    f.a.expectNoMessage(QUIET); // the leaver is never shown them
  }

  @Test
  void lifecycle_stopsOnlyWhenTheStayerReleases() {
    Fixture f = new Fixture().greeted();
    f.conversation.tell(new ConversationActor.Leave(f.aRef, true));
    f.b.expectMessage(WAIT, new ConnectionActor.PartnerLeft(f.conversation));
    // the leaver's Release (or a second Leave) does not end it: the stayer may still be talking
    f.conversation.tell(new ConversationActor.Release(f.aRef));
    f.conversation.tell(new ConversationActor.Leave(f.aRef, false));
    f.conversation.tell(new ConversationActor.Say(f.bRef, List.of("late")));
    f.b.expectMessage(WAIT, new ConnectionActor.NotDelivered(f.conversation, 1));
    f.conversation.tell(new ConversationActor.Release(f.bRef));
    TestProbe<Object> watcher = testKit.createTestProbe();
    watcher.expectTerminated(f.conversation, WAIT);
    f.matchmaker.expectMessage(WAIT, new MatchmakerActor.ConversationEnded(f.bRef, f.aRef, true));
    f.matchmaker.expectNoMessage(QUIET); // the end is reported once
  }

  @Test
  void lifecycle_stayerThatLeavesTooIsConfirmedAndEndsIt() {
    Fixture f = new Fixture().greeted();
    f.conversation.tell(new ConversationActor.Leave(f.aRef, false));
    // b typed /next before it learned: its Leave crosses a's
    f.conversation.tell(new ConversationActor.Leave(f.bRef, true));
    f.b.expectMessage(WAIT, new ConnectionActor.PartnerLeft(f.conversation));
    f.b.expectMessage(WAIT, new ConnectionActor.LeaveConfirmed(f.conversation));
    TestProbe<Object> watcher = testKit.createTestProbe();
    watcher.expectTerminated(f.conversation, WAIT);
    f.matchmaker.expectMessage(WAIT, new MatchmakerActor.ConversationEnded(f.bRef, f.aRef, false));
    f.matchmaker.expectNoMessage(QUIET);
  }

  @Test
  void s7_aSideSayingGoodbyeForTheServerTellsTheOtherWithoutPartnerLeft() {
    TestProbe<ConnectionActor.ConversationEvent> aProbe =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class);
    ActorRef<ConnectionActor.ConversationEvent> aSide = stoppableSide(aProbe);
    Fixture f = new Fixture(aSide, null);
    aProbe.expectMessage(WAIT, new ConnectionActor.Matched(f.conversation, "bob"));
    f.b.expectMessage(WAIT, new ConnectionActor.Matched(f.conversation, "alice"));
    f.conversation.tell(new ConversationActor.Say(aSide, List.of("before")));
    f.conversation.tell(new ConversationActor.ServerStopping(aSide));
    f.b.expectMessage(
        WAIT, new ConnectionActor.Deliver(f.conversation, "alice", List.of("before"), aSide));
    f.b.expectMessage(WAIT, ConnectionActor.ServerShuttingDown.INSTANCE);
    testKit.createTestProbe().expectTerminated(f.conversation, WAIT);
    testKit.stop(aSide, WAIT); // alice's actor going away afterwards tells bob nothing more
    f.b.expectNoMessage(QUIET);
    f.matchmaker.expectNoMessage(QUIET);
  }

  @Test
  void s7_sideThatStopsWithoutLeaveCountsAsLeft() {
    TestProbe<ConnectionActor.ConversationEvent> aProbe =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class);
    ActorRef<ConnectionActor.ConversationEvent> aSide = stoppableSide(aProbe);
    Fixture f = new Fixture(aSide, null);
    aProbe.expectMessage(WAIT, new ConnectionActor.Matched(f.conversation, "bob"));
    f.b.expectMessage(WAIT, new ConnectionActor.Matched(f.conversation, "alice"));
    f.conversation.tell(new ConversationActor.Say(aSide, List.of("last words")));
    f.b.expectMessage(
        WAIT, new ConnectionActor.Deliver(f.conversation, "alice", List.of("last words"), aSide));
    testKit.stop(aSide, WAIT);
    f.b.expectMessage(WAIT, new ConnectionActor.PartnerLeft(f.conversation));
    f.matchmaker.expectMessage(WAIT, new MatchmakerActor.ConversationEnded(f.bRef, aSide, false));
    // it lingers for the stayer, then ends on its Release
    f.conversation.tell(new ConversationActor.Release(f.bRef));
    TestProbe<Object> watcher = testKit.createTestProbe();
    watcher.expectTerminated(f.conversation, WAIT);
  }

  @Test
  void s7_stayerThatStopsAfterTheEndStopsTheConversation() {
    TestProbe<ConnectionActor.ConversationEvent> bProbe =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class);
    ActorRef<ConnectionActor.ConversationEvent> bSide = stoppableSide(bProbe);
    Fixture f = new Fixture(null, bSide);
    f.a.expectMessage(WAIT, new ConnectionActor.Matched(f.conversation, "bob"));
    bProbe.expectMessage(WAIT, new ConnectionActor.Matched(f.conversation, "alice"));
    f.conversation.tell(new ConversationActor.Leave(f.aRef, true));
    bProbe.expectMessage(WAIT, new ConnectionActor.PartnerLeft(f.conversation));
    testKit.stop(bSide, WAIT); // dies before its Release
    TestProbe<Object> watcher = testKit.createTestProbe();
    watcher.expectTerminated(f.conversation, WAIT);
    f.matchmaker.expectMessage(WAIT, new MatchmakerActor.ConversationEnded(bSide, f.aRef, true));
    f.matchmaker.expectNoMessage(QUIET);
  }
}
