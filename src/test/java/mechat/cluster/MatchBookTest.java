package mechat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import mechat.chat.ConnectionActor;
import mechat.testing.TestServers;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster matchmaker's rules without actors (§3.4, §4, §11): names, FIFO by sequence, the /next
 * rule, pairs and their ends, a node's loss, and the rebuild from snapshots. Probes only stand in
 * for refs; nothing is sent.
 */
class MatchBookTest {
  private static final ActorTestKit testKit = ActorTestKit.create(TestServers.config());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private record Told(String what, String name) {}

  /** Probes are all local refs: which one is "the matchmaker's node" is said here. */
  private final ActorRef<NodeRegistry.Command> here = registry();

  private final List<Told> told = new ArrayList<>();
  private final List<MatchBook.Pair> pairs = new ArrayList<>();
  private final MatchBook book =
      new MatchBook(
          new MatchBook.Effects() {
            @Override
            public void queued(
                MatchBook.Entry client, ActorRef<ConnectionActor.ConversationEvent> apart) {
              told.add(new Told("queued", client.name));
            }

            @Override
            public void matched(MatchBook.Pair pair, MatchBook.Entry a, MatchBook.Entry b) {
              pairs.add(pair);
              told.add(new Told("matched", a.name + "+" + b.name));
            }
          },
          "pair-test",
          ref -> ref.equals(here));

  private final ActorRef<NodeRegistry.Command> node1 = registry();
  private final ActorRef<NodeRegistry.Command> node2 = registry();

  private static ActorRef<NodeRegistry.Command> registry() {
    return testKit.createTestProbe(NodeRegistry.Command.class).ref();
  }

  private static ActorRef<ConnectionActor.ConversationEvent> conn() {
    return testKit.createTestProbe(ConnectionActor.ConversationEvent.class).ref();
  }

  private ActorRef<ConnectionActor.ConversationEvent> join(
      String name, ActorRef<NodeRegistry.Command> node) {
    ActorRef<ConnectionActor.ConversationEvent> c = conn();
    assertEquals(MatchBook.Claim.ACCEPTED, book.claim(c, name, "test", node));
    book.place(c);
    return c;
  }

  private MatchBook.Pair lastPair() {
    return pairs.get(pairs.size() - 1);
  }

  @Test
  void namesAreUniqueCaseInsensitivelyAndARetriedClaimIsRecognised() {
    ActorRef<ConnectionActor.ConversationEvent> alice = join("alice", node1);
    assertEquals(MatchBook.Claim.TAKEN, book.claim(conn(), "ALICE", "test", node2));
    assertEquals(MatchBook.Claim.ALREADY, book.claim(alice, "Alice", "test", node1));
    book.place(alice); // a retried claim: told again that it waits
    assertEquals(List.of(new Told("queued", "alice"), new Told("queued", "alice")), told);
    book.release(alice);
    assertEquals(MatchBook.Claim.ACCEPTED, book.claim(conn(), "alice", "test", node2));
  }

  @Test
  void theLongestWaitingIsMatchedFirstAndTheNextRuleKeepsTwoApart() {
    ActorRef<ConnectionActor.ConversationEvent> x = join("x", node1);
    ActorRef<ConnectionActor.ConversationEvent> y = join("y", node2);
    MatchBook.Pair xy = lastPair();
    book.ended(xy.id(), y, x, true); // x left by /next: y requeued first, then x, apart
    assertEquals(List.of("y", "x"), book.queueNames());
    join("z", node1);
    assertEquals("y+z", told.get(told.size() - 1).name());
    join("w", node2);
    assertEquals("x+w", told.get(told.size() - 1).name());
  }

  @Test
  void aRetriedEndChangesNothingAndAnUnknownOneLeavesNobodyAdrift() {
    ActorRef<ConnectionActor.ConversationEvent> a = join("a", node1);
    ActorRef<ConnectionActor.ConversationEvent> b = join("b", node2);
    MatchBook.Pair ab = lastPair();
    book.ended(ab.id(), b, a, false); // a quits: b waits, a is on its way out
    assertEquals(List.of("b"), book.queueNames());
    book.ended(ab.id(), b, a, false); // the same request again
    assertEquals(List.of("b"), book.queueNames());
    assertEquals(new Told("queued", "b"), told.get(told.size() - 1), "b is told again");
    book.ended("pair-unknown", a, b, false); // a lost line's second end: a is queued too
    assertEquals(new Told("matched", "b+a"), told.get(told.size() - 1));
  }

  @Test
  void theConversationGoesToTheNewcomersNodeUnlessItIsTheMatchmakers() {
    join("a", node1);
    join("b", node2);
    assertEquals(node2, lastPair().host());
    join("c", node1);
    join("d", here);
    assertEquals(node1, lastPair().host());
  }

  @Test
  void aNodesLossFreesItsNamesAndReturnsTheSurvivorsOfThePairsItHosted() {
    ActorRef<ConnectionActor.ConversationEvent> p1 = join("p1", node1);
    join("q1", node2); // hosted on node2 (the newcomer's)
    join("q2", node2);
    join("p2", node1); // hosted on node1
    join("w", node1);
    List<ActorRef<ConnectionActor.ConversationEvent>> orphans = book.registryGone(node2);
    assertEquals(List.of(p1), orphans, "only the pair node2 hosted is dissolved at once");
    assertEquals(3, book.names());
    assertEquals(MatchBook.Claim.ACCEPTED, book.claim(conn(), "q1", "test", node1));
    book.orphanExpired(p1);
    assertEquals("w+p1", told.get(told.size() - 1).name(), "the orphan is queued again");
  }

  @Test
  void aRebuildRestoresNamesPairsAndTheQueueInOrderWithMutualApartOnly() {
    ActorRef<ConnectionActor.ConversationEvent> x = conn();
    ActorRef<ConnectionActor.ConversationEvent> y = conn();
    ActorRef<ConnectionActor.ConversationEvent> c1 = conn();
    ActorRef<ConnectionActor.ConversationEvent> c2 = conn();
    ActorRef<ConnectionActor.ConversationEvent> lone = conn();
    book.merge(
        node1,
        List.of(
            new RegistrySnapshot.ClientState(x, "x", "t", 9, null, y),
            new RegistrySnapshot.ClientState(c1, "c1", "t", 2, "pair-old-1", null),
            new RegistrySnapshot.ClientState(lone, "lone", "t", 12, null, c1)),
        List.of());
    book.merge(
        node2,
        List.of(
            new RegistrySnapshot.ClientState(y, "y", "t", 7, null, x),
            new RegistrySnapshot.ClientState(c2, "c2", "t", 3, "pair-old-1", null)),
        List.of(new RegistrySnapshot.PairState("pair-old-1", c1, "c1", c2, "c2")));
    book.settle();
    assertEquals(5, book.names());
    assertEquals(2, book.pairs(), "the old pair, and y with lone");
    // y (7) and x (9) are apart; lone (12) meets y, the longest waiting; x waits on
    assertEquals(
        List.of("y+lone"),
        told.stream().filter(t -> t.what().equals("matched")).map(Told::name).toList());
    assertEquals(List.of("x"), book.queueNames());
    assertEquals(MatchBook.Claim.TAKEN, book.claim(conn(), "C1", "t", node2));
    join("n", node1);
    assertEquals("x+n", told.get(told.size() - 1).name());
    assertTrue(pairs.stream().noneMatch(p -> p.has(c1)), "c1 and c2 chat on, untouched");
  }
}
