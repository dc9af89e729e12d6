package mechat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
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
 * The matchmaker's registry, queue and /next rule (protocol §3.4, §3.6, §4), with probes standing
 * in for connections. Matches are observed through the {@code Matched} that the spawned
 * conversation sends to both sides.
 */
class MatchmakerActorTest {
  private static final ActorTestKit testKit = ActorTestKit.create(TestServers.config());
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Only to assert that nothing arrives; never a synchronisation point. */
  private static final Duration QUIET = Duration.ofMillis(300);

  private static final AtomicInteger ids = new AtomicInteger();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static ActorRef<MatchmakerActor.Command> newMatchmaker() {
    return testKit.spawn(MatchmakerActor.create(), "matchmaker-" + ids.incrementAndGet());
  }

  private static TestProbe<ConnectionActor.Command> newClient() {
    return testKit.createTestProbe(ConnectionActor.Command.class);
  }

  /** A connection that can be stopped: forwards everything to {@code probe}. */
  private static ActorRef<ConnectionActor.Command> stoppableClient(
      TestProbe<ConnectionActor.Command> probe) {
    Behavior<ConnectionActor.Command> forward =
        Behaviors.receiveMessage(
            m -> {
              probe.ref().tell(m);
              return Behaviors.same();
            });
    return testKit.spawn(forward, "client-" + ids.incrementAndGet());
  }

  private static void register(
      ActorRef<MatchmakerActor.Command> mm, String name, TestProbe<ConnectionActor.Command> c) {
    mm.tell(new MatchmakerActor.Register(name, "test:" + name, c.ref().narrow(), c.ref().narrow()));
  }

  private static void registerWaiting(
      ActorRef<MatchmakerActor.Command> mm, String name, TestProbe<ConnectionActor.Command> c) {
    register(mm, name, c);
    c.expectMessage(WAIT, ConnectionActor.Waiting.INSTANCE);
  }

  /** Asserts that {@code a} and {@code b} were paired with each other (one conversation). */
  private static ActorRef<ConversationActor.Command> expectPaired(
      TestProbe<ConnectionActor.Command> a,
      String nameA,
      TestProbe<ConnectionActor.Command> b,
      String nameB) {
    ConnectionActor.Matched ma = a.expectMessageClass(ConnectionActor.Matched.class, WAIT);
    ConnectionActor.Matched mb = b.expectMessageClass(ConnectionActor.Matched.class, WAIT);
    assertEquals(nameB, ma.partnerName(), "partner named to " + nameA);
    assertEquals(nameA, mb.partnerName(), "partner named to " + nameB);
    assertEquals(ma.conversation(), mb.conversation(), "both sides are in the same conversation");
    return ma.conversation();
  }

  private static MatchmakerActor.Stats stats(ActorRef<MatchmakerActor.Command> mm) {
    TestProbe<MatchmakerActor.Stats> probe = testKit.createTestProbe(MatchmakerActor.Stats.class);
    mm.tell(new MatchmakerActor.GetStats(probe.ref()));
    return probe.expectMessageClass(MatchmakerActor.Stats.class, WAIT);
  }

  private static void awaitStats(ActorRef<MatchmakerActor.Command> mm, MatchmakerActor.Stats want) {
    TestProbe<MatchmakerActor.Stats> probe = testKit.createTestProbe(MatchmakerActor.Stats.class);
    probe.awaitAssert(
        WAIT,
        () -> {
          assertEquals(want, stats(mm));
          return null;
        });
  }

  private static void nextBetween(
      ActorRef<MatchmakerActor.Command> mm,
      TestProbe<ConnectionActor.Command> stayer,
      TestProbe<ConnectionActor.Command> leaver) {
    mm.tell(
        new MatchmakerActor.ConversationEnded(stayer.ref().narrow(), leaver.ref().narrow(), true));
  }

  // ---------------------------------------------------------------- §3.4, §3.6 names

  @Test
  void s4_2_firstClientIsToldToWait() {
    ActorRef<MatchmakerActor.Command> mm = newMatchmaker();
    TestProbe<ConnectionActor.Command> a = newClient();
    register(mm, "alice", a);
    a.expectMessage(WAIT, ConnectionActor.Waiting.INSTANCE);
    assertEquals(new MatchmakerActor.Stats(1, 1, 0), stats(mm));
  }

  @Test
  void s4_3_secondClientIsMatchedAndBothLearnTheOthersName() {
    ActorRef<MatchmakerActor.Command> mm = newMatchmaker();
    TestProbe<ConnectionActor.Command> a = newClient();
    TestProbe<ConnectionActor.Command> b = newClient();
    registerWaiting(mm, "alice", a);
    register(mm, "bob", b);
    expectPaired(a, "alice", b, "bob");
    b.expectNoMessage(QUIET); // the newcomer is matched at once, never told to wait
    assertEquals(new MatchmakerActor.Stats(2, 0, 1), stats(mm));
  }

  @Test
  void s3_4_nameHeldByAnotherClientIsTakenCaseInsensitively() {
    ActorRef<MatchmakerActor.Command> mm = newMatchmaker();
    TestProbe<ConnectionActor.Command> a = newClient();
    TestProbe<ConnectionActor.Command> b = newClient();
    TestProbe<ConnectionActor.Command> c = newClient();
    registerWaiting(mm, "Alice", a);
    register(mm, "aLICE", b);
    b.expectMessage(WAIT, ConnectionActor.NameTaken.INSTANCE);
    register(mm, "alice", c);
    c.expectMessage(WAIT, ConnectionActor.NameTaken.INSTANCE);
    a.expectNoMessage(QUIET); // a refused name neither matches nor disturbs the holder
    assertEquals(new MatchmakerActor.Stats(1, 1, 0), stats(mm));
    // the refused client may try another name
    register(mm, "bob", b);
    expectPaired(a, "Alice", b, "bob");
  }

  @Test
  void s3_6_nameIsReleasedByUnregister() {
    ActorRef<MatchmakerActor.Command> mm = newMatchmaker();
    TestProbe<ConnectionActor.Command> a = newClient();
    TestProbe<ConnectionActor.Command> b = newClient();
    registerWaiting(mm, "alice", a);
    mm.tell(new MatchmakerActor.Unregister(a.ref().narrow()));
    registerWaiting(mm, "ALICE", b); // Waiting, not NameTaken, and not matched with the leaver
    a.expectNoMessage(QUIET);
    assertEquals(new MatchmakerActor.Stats(1, 1, 0), stats(mm));
  }

  @Test
  void s3_6_nameIsReleasedWhenTheConnectionActorStops() {
    ActorRef<MatchmakerActor.Command> mm = newMatchmaker();
    TestProbe<ConnectionActor.Command> aProbe = newClient();
    ActorRef<ConnectionActor.Command> a = stoppableClient(aProbe);
    mm.tell(new MatchmakerActor.Register("alice", "test:alice", a.narrow(), a.narrow()));
    aProbe.expectMessage(WAIT, ConnectionActor.Waiting.INSTANCE);
    testKit.stop(a, WAIT);
    awaitStats(mm, new MatchmakerActor.Stats(0, 0, 0));
    TestProbe<ConnectionActor.Command> b = newClient();
    registerWaiting(mm, "alice", b);
  }

  // ---------------------------------------------------------------- §4 queue

  @Test
  void s4_3_newcomerIsPairedWithWhoeverWaitedLongest() {
    ActorRef<MatchmakerActor.Command> mm = newMatchmaker();
    TestProbe<ConnectionActor.Command> a = newClient();
    TestProbe<ConnectionActor.Command> b = newClient();
    TestProbe<ConnectionActor.Command> c = newClient();
    TestProbe<ConnectionActor.Command> d = newClient();
    registerWaiting(mm, "a", a);
    register(mm, "b", b);
    expectPaired(a, "a", b, "b");
    // a (registered first) leaves by /next: the stayer b rejoins the queue first, then a
    nextBetween(mm, b, a);
    b.expectMessage(WAIT, ConnectionActor.Waiting.INSTANCE);
    a.expectMessage(WAIT, ConnectionActor.Waiting.INSTANCE);
    register(mm, "c", c);
    expectPaired(b, "b", c, "c"); // the head of the queue, not the earliest registration
    a.expectNoMessage(QUIET);
    register(mm, "d", d);
    expectPaired(a, "a", d, "d");
  }

  @Test
  void s4_4_nextPartnersAreNotRematchedUntilOneMetSomeoneElse() {
    ActorRef<MatchmakerActor.Command> mm = newMatchmaker();
    TestProbe<ConnectionActor.Command> a = newClient();
    TestProbe<ConnectionActor.Command> b = newClient();
    TestProbe<ConnectionActor.Command> c = newClient();
    TestProbe<ConnectionActor.Command> d = newClient();
    registerWaiting(mm, "A", a);
    register(mm, "B", b);
    expectPaired(a, "A", b, "B");

    // A and B part by /next (A typed it): both wait, although each is the only other one waiting
    nextBetween(mm, b, a);
    b.expectMessage(WAIT, ConnectionActor.Waiting.INSTANCE);
    a.expectMessage(WAIT, ConnectionActor.Waiting.INSTANCE);
    assertEquals(new MatchmakerActor.Stats(2, 2, 1), stats(mm));

    // C joins: paired with the stayer B, who was requeued first; D joins: paired with A
    register(mm, "C", c);
    expectPaired(b, "B", c, "C");
    register(mm, "D", d);
    expectPaired(a, "A", d, "D");

    // both conversations end without /next: A and B may meet again
    mm.tell(new MatchmakerActor.ConversationEnded(b.ref().narrow(), c.ref().narrow(), false));
    b.expectMessage(WAIT, ConnectionActor.Waiting.INSTANCE);
    mm.tell(new MatchmakerActor.ConversationEnded(a.ref().narrow(), d.ref().narrow(), false));
    expectPaired(b, "B", a, "A");
  }

  @Test
  void s4_4_nextPartnersMayMeetAgainOnceOneOfThemMetSomeoneElse() {
    ActorRef<MatchmakerActor.Command> mm = newMatchmaker();
    TestProbe<ConnectionActor.Command> a = newClient();
    TestProbe<ConnectionActor.Command> b = newClient();
    TestProbe<ConnectionActor.Command> c = newClient();
    registerWaiting(mm, "A", a);
    register(mm, "B", b);
    expectPaired(a, "A", b, "B");
    nextBetween(mm, a, b); // B typed /next this time: A is the stayer
    a.expectMessage(WAIT, ConnectionActor.Waiting.INSTANCE);
    b.expectMessage(WAIT, ConnectionActor.Waiting.INSTANCE);

    // A meets C, C quits; A is requeued while B still waits, and B has met nobody else
    register(mm, "C", c);
    expectPaired(a, "A", c, "C");
    mm.tell(new MatchmakerActor.ConversationEnded(a.ref().narrow(), c.ref().narrow(), false));
    expectPaired(b, "B", a, "A");
  }

  @Test
  void s6_partnerLeftWithoutNextRequeuesTheStayerOnly() {
    ActorRef<MatchmakerActor.Command> mm = newMatchmaker();
    TestProbe<ConnectionActor.Command> a = newClient();
    TestProbe<ConnectionActor.Command> b = newClient();
    TestProbe<ConnectionActor.Command> c = newClient();
    registerWaiting(mm, "A", a);
    register(mm, "B", b);
    expectPaired(a, "A", b, "B");
    mm.tell(new MatchmakerActor.ConversationEnded(b.ref().narrow(), a.ref().narrow(), false));
    b.expectMessage(WAIT, ConnectionActor.Waiting.INSTANCE);
    a.expectNoMessage(QUIET); // the leaver (quitting) is not requeued
    assertEquals(new MatchmakerActor.Stats(2, 1, 1), stats(mm));
    // and no /next rule between them: B is the one C meets
    register(mm, "C", c);
    expectPaired(b, "B", c, "C");
    a.expectNoMessage(QUIET);
  }

  @Test
  void s4_5_waitingClientThatUnregistersIsNeverMatched() {
    ActorRef<MatchmakerActor.Command> mm = newMatchmaker();
    TestProbe<ConnectionActor.Command> a = newClient();
    TestProbe<ConnectionActor.Command> b = newClient();
    TestProbe<ConnectionActor.Command> c = newClient();
    registerWaiting(mm, "A", a);
    mm.tell(new MatchmakerActor.Unregister(a.ref().narrow()));
    registerWaiting(mm, "B", b);
    register(mm, "C", c);
    expectPaired(b, "B", c, "C");
    a.expectNoMessage(QUIET);
  }

  @Test
  void s4_5_waitingClientWhoseConnectionStopsIsNeverMatched() {
    ActorRef<MatchmakerActor.Command> mm = newMatchmaker();
    TestProbe<ConnectionActor.Command> aProbe = newClient();
    ActorRef<ConnectionActor.Command> a = stoppableClient(aProbe);
    TestProbe<ConnectionActor.Command> b = newClient();
    mm.tell(new MatchmakerActor.Register("A", "test:A", a.narrow(), a.narrow()));
    aProbe.expectMessage(WAIT, ConnectionActor.Waiting.INSTANCE);
    testKit.stop(a, WAIT);
    awaitStats(mm, new MatchmakerActor.Stats(0, 0, 0));
    registerWaiting(mm, "B", b);
  }

  @Test
  void s7_stayerWhoLeftMeanwhileIsNotRequeued() {
    ActorRef<MatchmakerActor.Command> mm = newMatchmaker();
    TestProbe<ConnectionActor.Command> a = newClient();
    TestProbe<ConnectionActor.Command> b = newClient();
    TestProbe<ConnectionActor.Command> c = newClient();
    registerWaiting(mm, "A", a);
    register(mm, "B", b);
    expectPaired(a, "A", b, "B");
    // both quit at once: B's Unregister reaches the matchmaker before the end of the conversation
    mm.tell(new MatchmakerActor.Unregister(b.ref().narrow()));
    mm.tell(new MatchmakerActor.Unregister(a.ref().narrow()));
    mm.tell(new MatchmakerActor.ConversationEnded(b.ref().narrow(), a.ref().narrow(), true));
    registerWaiting(mm, "C", c);
    a.expectNoMessage(QUIET);
    b.expectNoMessage(Duration.ZERO);
    assertEquals(new MatchmakerActor.Stats(1, 1, 1), stats(mm));
  }

  @Test
  void getStats_countsNamesWaitingClientsAndLiveConversations() {
    ActorRef<MatchmakerActor.Command> mm = newMatchmaker();
    TestProbe<ConnectionActor.Command> a = newClient();
    TestProbe<ConnectionActor.Command> b = newClient();
    assertEquals(new MatchmakerActor.Stats(0, 0, 0), stats(mm));
    registerWaiting(mm, "A", a);
    assertEquals(new MatchmakerActor.Stats(1, 1, 0), stats(mm));
    register(mm, "B", b);
    ActorRef<ConversationActor.Command> conversation = expectPaired(a, "A", b, "B");
    assertEquals(new MatchmakerActor.Stats(2, 0, 1), stats(mm));

    // A quits: the (real) conversation reports the end, B is requeued, A unregisters
    conversation.tell(new ConversationActor.Leave(a.ref().narrow(), false));
    a.expectMessage(WAIT, new ConnectionActor.LeaveConfirmed(conversation));
    b.expectMessage(WAIT, new ConnectionActor.PartnerLeft(conversation));
    b.expectMessage(WAIT, ConnectionActor.Waiting.INSTANCE);
    mm.tell(new MatchmakerActor.Unregister(a.ref().narrow()));
    assertEquals(new MatchmakerActor.Stats(1, 1, 1), stats(mm));
    // B releases the conversation, which stops: it is no longer counted
    conversation.tell(new ConversationActor.Release(b.ref().narrow()));
    awaitStats(mm, new MatchmakerActor.Stats(1, 1, 0));
  }
}
