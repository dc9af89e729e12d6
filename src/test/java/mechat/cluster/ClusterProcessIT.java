package mechat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mechat.testing.Awaits;
import mechat.testing.LineClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Protocol §11 on real processes: three {@code mechat server} JVMs on loopback with clients on
 * each. A SIGTERM'd node says goodbye to its own clients only; a SIGKILL'd node's clients' partners
 * hear "partner left" and its names come free; when the matchmaker's node is killed, matching comes
 * back in order. Every §11 time is measured (printed as RESULT lines) and asserted. A node is
 * started again after each loss, so that no kill ever leaves two nodes to decide.
 */
class ClusterProcessIT {
  private static final Duration START = Duration.ofSeconds(90);
  private static final long PARTNER_LEFT_MS = 15_000;
  private static final long NAMES_FREE_MS = 30_000;
  private static final long MATCHING_BACK_MS = 20_000;

  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<LineClient> clients = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (LineClient c : clients) c.close();
    for (NodeProcess n : nodes) n.close();
  }

  private NodeProcess startNode(List<Integer> seeds) throws Exception {
    NodeProcess n = NodeProcess.start(NodeProcess.freePort(), seeds);
    nodes.add(n);
    return n;
  }

  private LineClient named(NodeProcess node, String name) throws IOException {
    LineClient c = new LineClient(node.port());
    clients.add(c);
    c.send(name);
    return c;
  }

  private LineClient[] pair(NodeProcess a, String na, NodeProcess b, String nb) throws IOException {
    LineClient ca = named(a, na);
    ca.expect("wait");
    LineClient cb = named(b, nb);
    cb.expect("matched to " + na);
    ca.expect("matched to " + nb);
    return new LineClient[] {ca, cb};
  }

  private void closeClients() throws IOException {
    for (LineClient c : clients) c.close();
    clients.clear();
  }

  /**
   * Nobody is waiting anywhere: a probe client on {@code via} is told "wait", then leaves ("bye").
   * The next client to connect to {@code via} is claimed after the probe's release (one registry
   * keeps its requests in order), so it cannot meet the probe.
   */
  private void awaitEmptyQueue(NodeProcess via) throws Exception {
    Awaits.until(
        () -> {
          try (LineClient probe = new LineClient(via.port())) {
            probe.send("probe-" + System.nanoTime() % 100000);
            String answer = probe.readLine();
            probe.send("/quit");
            for (int i = 0; i < 5; i++) {
              String line = probe.readLine();
              if (line == null || line.equals("bye")) break;
            }
            return "wait".equals(answer);
          }
        },
        "an empty queue",
        Duration.ofSeconds(30));
  }

  private static long ms(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }

  /** The live node that started the matchmaker last (the oldest). */
  private NodeProcess matchmakerNode() throws Exception {
    Awaits.until(
        () -> {
          for (NodeProcess n : nodes) if (n.process.isAlive() && n.startedMatchmaker()) return true;
          return false;
        },
        "a node to host the matchmaker",
        START);
    NodeProcess found = null;
    for (NodeProcess n : nodes) if (n.process.isAlive() && n.startedMatchmaker()) found = n;
    return found;
  }

  private List<Integer> liveSeeds() {
    return nodes.stream().filter(n -> n.process.isAlive()).map(n -> n.clusterPort).toList();
  }

  @Test
  void s11_sigtermThenSigkillThenTheMatchmakersNode() throws Exception {
    // three nodes started together, the first two as seeds
    int a = NodeProcess.freePort();
    int b = NodeProcess.freePort();
    for (int port : List.of(a, b, NodeProcess.freePort())) {
      nodes.add(NodeProcess.start(port, List.of(a, b)));
    }
    long startNanos = System.nanoTime();
    for (NodeProcess n : nodes) n.awaitListening(START);
    System.out.printf("RESULT three nodes up and listening after %d ms%n", ms(startNanos));

    // --- SIGTERM: its own clients hear "server shutting down", partners elsewhere "partner left"
    NodeProcess mm = matchmakerNode();
    List<NodeProcess> others = nodes.stream().filter(n -> n != mm).toList();
    NodeProcess stopping = others.get(1);
    NodeProcess other = others.get(0);
    LineClient[] cross = pair(other, "o1", stopping, "t1");
    LineClient[] bystanders = pair(mm, "m1", other, "o2");
    LineClient local = named(stopping, "t2");
    local.expect("wait");
    long t0 = System.nanoTime();
    stopping.terminate();
    cross[1].expect("server shutting down", Duration.ofSeconds(20));
    local.expect("server shutting down");
    cross[0].expect("partner left", Duration.ofSeconds(20));
    cross[0].expect("wait", Duration.ofSeconds(20));
    System.out.printf("RESULT SIGTERM: partner on another node requeued after %d ms%n", ms(t0));
    assertTrue(stopping.awaitExit(Duration.ofSeconds(30)), "the stopped node exits");
    assertEquals(0, stopping.process.exitValue(), "exit status after SIGTERM");
    cross[1].expectClosed();
    bystanders[0].send("undisturbed");
    bystanders[1].expect("m1: undisturbed");
    closeClients();
    NodeProcess replaced = startNode(liveSeeds());
    replaced.awaitListening(START);

    // --- SIGKILL of a node that does not host the matchmaker
    NodeProcess mm2 = matchmakerNode();
    awaitEmptyQueue(mm2);
    NodeProcess victim = replaced; // the youngest: never the matchmaker's
    NodeProcess survivor =
        nodes.stream()
            .filter(n -> n != mm2 && n != victim && n.process.isAlive())
            .findFirst()
            .orElseThrow();
    LineClient[] hostedThere = pair(mm2, "p1", victim, "k1"); // on the newcomer's node: dies
    LineClient[] hostedHere = pair(victim, "k2", survivor, "p2"); // on the survivor's node
    LineClient[] apart = pair(mm2, "u1", survivor, "u2");
    t0 = System.nanoTime();
    victim.kill();
    long[] partnerLeft = new long[2];
    LineClient[] stayers = {hostedThere[0], hostedHere[1]};
    for (int i = 0; i < 2; i++) {
      assertEquals("partner left", stayers[i].readLine(Duration.ofSeconds(40)));
      partnerLeft[i] = ms(t0);
    }
    System.out.printf(
        "RESULT SIGKILL: partner left after %d ms (conversation on the dead node) and %d ms (on a"
            + " survivor)%n",
        partnerLeft[0], partnerLeft[1]);
    for (long t : partnerLeft) assertTrue(t <= PARTNER_LEFT_MS, "partner left after " + t + " ms");
    LineClient reclaim = named(survivor, "k1");
    Awaits.until(
        () -> {
          String answer = reclaim.readLine();
          if ("username taken".equals(answer)) {
            reclaim.send("k1");
            return false;
          }
          return answer != null;
        },
        "k1's name to be free",
        Duration.ofSeconds(40));
    long namesFree = ms(t0);
    System.out.printf("RESULT SIGKILL: the dead node's names free after %d ms%n", namesFree);
    assertTrue(namesFree <= NAMES_FREE_MS, "names free after " + namesFree + " ms");
    for (LineClient s : stayers) {
      String next = s.readLine(Duration.ofSeconds(20));
      assertTrue(next != null && (next.equals("wait") || next.startsWith("matched to ")), next);
    }
    System.out.printf("RESULT SIGKILL: both partners queued again after %d ms%n", ms(t0));
    apart[0].send("undisturbed");
    apart[1].expect("u1: undisturbed");
    closeClients();
    NodeProcess third = startNode(liveSeeds());
    third.awaitListening(START);

    // --- SIGKILL of the matchmaker's node: chats elsewhere go on, the queue comes back in order
    NodeProcess dying = matchmakerNode();
    List<NodeProcess> rest = nodes.stream().filter(n -> n != dying && n.process.isAlive()).toList();
    assertEquals(2, rest.size());
    awaitEmptyQueue(rest.get(0));
    LineClient[] chat = pair(rest.get(0), "c1", rest.get(1), "c2");
    LineClient[] xy = pair(rest.get(0), "x", rest.get(1), "y");
    xy[0].send("/next");
    xy[1].expect("partner left");
    xy[1].expect("wait");
    xy[0].expect("wait");
    t0 = System.nanoTime();
    dying.kill();
    LineClient n1 = named(rest.get(0), "n1"); // no answer until a new matchmaker has rebuilt
    assertEquals("matched to y", n1.readLine(Duration.ofSeconds(40)), "the longest waiting first");
    long matchingBack = ms(t0);
    System.out.printf(
        "RESULT matchmaker's node SIGKILL: matching back after %d ms%n", matchingBack);
    assertTrue(matchingBack <= MATCHING_BACK_MS, "matching back after " + matchingBack + " ms");
    xy[1].expect("matched to n1");
    LineClient n2 = named(rest.get(1), "n2");
    n2.expect("matched to x");
    xy[0].expect("matched to n2");
    chat[0].send("still here");
    chat[1].expect("c1: still here");
    assertNull(chat[0].readLine(Duration.ofMillis(100)), "nothing else for c1");

    // --- SIGTERM of the (new) matchmaker's node: it hands over, and the queue survives
    NodeProcess leaving = matchmakerNode();
    NodeProcess last = rest.get(0) == leaving ? rest.get(1) : rest.get(0);
    closeClients(); // else partners of the leaving node's clients are requeued and meet w
    awaitEmptyQueue(last);
    LineClient w = named(last, "w");
    w.expect("wait");
    t0 = System.nanoTime();
    leaving.terminate();
    assertTrue(leaving.awaitExit(Duration.ofSeconds(30)), "the stopped node exits");
    long exited = ms(t0);
    LineClient late = named(last, "late"); // only the new matchmaker can answer now
    assertEquals("matched to w", late.readLine(Duration.ofSeconds(20)), "w kept its place");
    System.out.printf(
        "RESULT matchmaker's node SIGTERM: exited after %d ms, a newcomer matched after %d ms%n",
        exited, ms(t0));
    w.expect("matched to late");
  }
}
