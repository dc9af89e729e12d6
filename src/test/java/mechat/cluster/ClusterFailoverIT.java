package mechat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mechat.testing.Awaits;
import mechat.testing.LineClient;
import mechat.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Protocol §11 when a node dies without leaving, in one JVM: its actor system stops as a killed
 * process's would, and a survivor marks it down at once (the Split Brain Resolver's own timing is
 * measured by {@link ClusterProcessIT} on real processes). A fresh three-node cluster per test.
 */
class ClusterFailoverIT {
  private static final Duration REMOVAL = Duration.ofSeconds(30);

  private TestCluster cluster;
  private final List<LineClient> clients = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (LineClient c : clients) c.close();
    if (cluster != null) cluster.close();
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

  /** "partner left", then queued again: "wait" or a new match. */
  private static void expectPartnerLeftAndRequeued(LineClient c) throws IOException {
    assertEquals("partner left", c.readLine(REMOVAL));
    String next = c.readLine(REMOVAL);
    assertTrue(next != null && (next.equals("wait") || next.startsWith("matched to ")), next);
  }

  @Test
  void s11_aNodeDownedWithoutLeavingFreesItsNamesAndRequeuesItsClientsPartners() throws Exception {
    cluster = TestCluster.start(3);
    assertEquals(0, cluster.matchmakerNode());
    // a conversation hosted by the node that dies (the newcomer's), and one hosted by a survivor
    LineClient[] hostedThere = pair(1, "p1", 2, "q1");
    LineClient[] hostedHere = pair(2, "q2", 1, "p2");
    LineClient waiting = named(0, "w");
    waiting.expect("wait");
    long t0 = System.nanoTime();
    cluster.crash(2);
    expectPartnerLeftAndRequeued(hostedThere[0]);
    expectPartnerLeftAndRequeued(hostedHere[1]);
    // the dead node's names are free again
    LineClient again = named(0, "q1");
    Awaits.until(
        () -> {
          String answer = again.readLine();
          if ("username taken".equals(answer)) {
            again.send("q1");
            return false;
          }
          assertTrue(answer.equals("wait") || answer.startsWith("matched to "), answer);
          return true;
        },
        "q1's name to be free",
        REMOVAL);
    System.out.printf(
        "RESULT in-JVM node down (manual Down): survivors requeued and name free after %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);
    var view = cluster.view();
    assertEquals(4, view.names(), "p1, p2, w and the new q1: " + view);
  }

  @Test
  void s11_theMatchmakersNodeDownedLeavesChatsAloneAndTheQueueInOrder() throws Exception {
    cluster = TestCluster.start(3);
    assertEquals(0, cluster.matchmakerNode());
    LineClient[] chat = pair(1, "c1", 2, "c2");
    LineClient[] xy = pair(1, "x", 2, "y");
    xy[0].send("/next");
    xy[1].expect("partner left");
    xy[1].expect("wait");
    xy[0].expect("wait");
    String epoch = cluster.view().epoch();
    long t0 = System.nanoTime();
    cluster.crash(0);
    LineClient n1 = named(1, "n1"); // held (no answer) until the new matchmaker has rebuilt
    assertEquals("matched to y", n1.readLine(REMOVAL), "the longest waiting, in order");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    xy[1].expect("matched to n1");
    System.out.printf(
        "RESULT in-JVM matchmaker node down (manual Down): matching back after %d ms%n", ms);
    var view = cluster.view();
    assertTrue(view.ready() && !view.epoch().equals(epoch), view.toString());
    LineClient n2 = named(2, "n2");
    n2.expect("matched to x");
    xy[0].expect("matched to n2");
    // the conversation that lived on the survivors never noticed
    chat[0].send("still here");
    chat[1].expect("c1: still here");
    chat[1].send("me too");
    chat[0].expect("c2: me too");
    chat[0].expectSilence(Duration.ofMillis(200));
  }
}
