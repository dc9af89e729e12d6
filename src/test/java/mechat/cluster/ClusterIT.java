package mechat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mechat.chat.ConnectionActor;
import mechat.testing.Awaits;
import mechat.testing.Flood;
import mechat.testing.LineClient;
import mechat.testing.TestCluster;
import org.apache.pekko.actor.ActorIdentity;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.Identify;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Protocol §11 on three nodes in one JVM (the pattern of Pekko's ClusterApiTest), clients on real
 * sockets: one service, whichever node a client reaches. Every message between actors is
 * serialized. The failures of nodes are in {@link ClusterFailoverIT}.
 */
class ClusterIT {
  private static TestCluster cluster;
  private final List<LineClient> clients = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    cluster = TestCluster.start(3);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  /** Every client gone, and with it every name and place: the next test starts afresh. */
  @AfterEach
  void closeClients() throws Exception {
    for (LineClient c : clients) c.close();
    Awaits.until(
        () -> {
          var v = cluster.viewOrNull();
          return v != null && v.names() == 0 && v.pairs() == 0;
        },
        "every name released and every conversation over");
  }

  private LineClient named(int node, String name) throws IOException {
    LineClient c = new LineClient(cluster.port(node));
    clients.add(c);
    c.send(name);
    return c;
  }

  private LineClient[] pair(int nodeA, String a, int nodeB, String b) throws IOException {
    LineClient ca = named(nodeA, a);
    ca.expect("wait");
    LineClient cb = named(nodeB, b);
    cb.expect("matched to " + a);
    ca.expect("matched to " + b);
    return new LineClient[] {ca, cb};
  }

  @Test
  void s11_usernamesAreUniqueAcrossNodesCaseInsensitively() throws Exception {
    LineClient alice = named(0, "alice");
    alice.expect("wait");
    LineClient other = named(1, "ALICE");
    other.expect("username taken");
    LineClient third = named(2, "Alice");
    third.expect("username taken");
    alice.send("/quit");
    alice.expect("bye");
    // the name is free again, on any node (§3.6): the refused clients may try again
    Awaits.until(
        () -> {
          other.send("alice");
          String answer = other.readLine();
          if ("username taken".equals(answer)) return false;
          assertEquals("wait", answer);
          return true;
        },
        "the name to be free on another node");
    third.send("aLiCe");
    third.expect("username taken");
  }

  @Test
  void s11_matchingIsFifoAcrossNodes() throws Exception {
    // x and y part by /next, so both wait (y first, then x) and are kept apart
    LineClient[] xy = pair(0, "x", 1, "y");
    xy[0].send("/next");
    xy[1].expect("partner left");
    xy[1].expect("wait");
    xy[0].expect("wait");
    assertEquals(List.of("y", "x"), cluster.view().waiting());
    // whoever waited longest, on any node, is matched first
    LineClient z = named(2, "z");
    z.expect("matched to y");
    xy[1].expect("matched to z");
    LineClient w = named(1, "w");
    w.expect("matched to x");
    xy[0].expect("matched to w");
  }

  @Test
  void s11_theNextRuleHoldsAcrossNodes() throws Exception {
    LineClient[] ab = pair(1, "a", 2, "b");
    ab[1].send("/next");
    ab[0].expect("partner left");
    ab[0].expect("wait");
    ab[1].expect("wait");
    // a and b wait, apart: a newcomer takes a; b waits on for someone else
    LineClient c = named(0, "c");
    c.expect("matched to a");
    ab[0].expect("matched to c");
    ab[1].expectSilence(Duration.ofMillis(300));
    // a has met someone else, so a and b may meet again (§4.4)
    ab[0].send("/quit");
    ab[0].expect("bye");
    c.expect("partner left");
    c.expect("matched to b");
    ab[1].expect("matched to c");
  }

  @Test
  void s11_aPairAcrossNodesKeepsOrderAndPartnerLeftComesAfterTheLastLine() throws Exception {
    LineClient[] p = pair(0, "ann", 2, "bo");
    int n = 2000;
    StringBuilder fromAnn = new StringBuilder();
    StringBuilder fromBo = new StringBuilder();
    for (int i = 0; i < n; i++) {
      fromAnn.append("ann line ").append(i).append('\n');
      fromBo.append("bo line ").append(i).append('\n');
    }
    p[0].raw(fromAnn.toString().getBytes(StandardCharsets.UTF_8));
    p[1].raw(fromBo.toString().getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < n; i++) p[0].expect("bo: bo line " + i);
    for (int i = 0; i < n; i++) p[1].expect("ann: ann line " + i);
    // lines and the leave travel the same path: partner left comes after the last of them
    p[0].raw((fromAnn + "/quit\n").getBytes(StandardCharsets.UTF_8));
    p[0].expect("bye");
    for (int i = 0; i < n; i++) p[1].expect("ann: ann line " + i);
    p[1].expect("partner left");
    p[1].expect("wait");
  }

  @Test
  void s11_aSlowReaderOnAnotherNodeHoldsItsSenderBack() throws Exception {
    LineClient[] p = pair(1, "fast", 0, "slow");
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    long written = Flood.untilStalled(p[0], sent, 64 << 20);
    assertTrue(written < (64 << 20), "the server kept reading: " + written + " bytes");
    String all = sent.toString(StandardCharsets.US_ASCII);
    String[] lines = all.split("\n");
    int complete = all.endsWith("\n") ? lines.length : lines.length - 1;
    for (int i = 0; i < complete; i++) p[1].expect("fast: " + lines[i]);
  }

  @Test
  void s11_aLineTheTransportDroppedEndsThePairWithPartnerLeft() throws Exception {
    LineClient[] p = pair(1, "d1", 2, "d2");
    // the conversation lives on the newcomer's node (2); the transport there "drops" an ack of it
    ActorRef conversation = findConversation(2);
    cluster
        .node(2)
        .system()
        .classicSystem()
        .eventStream()
        .publish(
            new Dropped(
                new ConnectionActor.Delivered(Adapter.toTyped(conversation)),
                "test: overflow of send queue",
                ActorRef.noSender(),
                ActorRef.noSender()));
    for (LineClient c : p) {
      c.expect("partner left");
      String next = c.readLine();
      assertTrue(next.equals("wait") || next.startsWith("matched to "), next);
    }
  }

  @Test
  void s11_aRestartedMatchmakerRebuildsTheQueueInOrder() throws Exception {
    LineClient[] chat = pair(0, "c0", 1, "c1");
    LineClient[] xy = pair(2, "rx", 1, "ry");
    xy[0].send("/next");
    xy[1].expect("partner left");
    xy[1].expect("wait");
    xy[0].expect("wait");
    String epoch = cluster.view().epoch();
    cluster.restartMatchmaker();
    Awaits.until(
        () -> {
          var v = cluster.viewOrNull();
          return v != null && v.ready() && !v.epoch().equals(epoch);
        },
        "a new, ready matchmaker");
    var v = cluster.view();
    assertNotEquals(epoch, v.epoch());
    assertEquals(List.of("ry", "rx"), v.waiting(), "the queue, rebuilt in order");
    assertEquals(1, v.pairs(), "the conversation, rebuilt");
    assertEquals(4, v.names(), "c0, c1, rx and ry");
    chat[0].send("still here");
    chat[1].expect("c0: still here");
    LineClient n1 = named(0, "n1");
    n1.expect("matched to ry");
    LineClient n2 = named(2, "n2");
    n2.expect("matched to rx");
  }

  private static ActorRef findConversation(int node) throws Exception {
    var system = cluster.node(node).system().classicSystem();
    Object answer =
        Patterns.ask(
                system.actorSelection("/user/registry/*"),
                new Identify("conversation"),
                Duration.ofSeconds(3))
            .toCompletableFuture()
            .get();
    return ((ActorIdentity) answer).getActorRef().orElseThrow();
  }
}
