package mechat.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mechat.cluster.ClusterConfig;
import mechat.cluster.ClusterMatchmaker;
import mechat.cluster.ClusterNode;
import mechat.server.ChatServer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;

/**
 * Several cluster nodes in one JVM (§11), each a real {@link ChatServer} on loopback port 0 with
 * its cluster port 0: the first forms the cluster, the others join it through the first, so the
 * first is the oldest and hosts the matchmaker. Messages are serialized (CBOR) even locally, and a
 * node can be crashed without leaving, as a killed process would.
 */
public final class TestCluster implements AutoCloseable {
  private final List<ChatServer> nodes = new ArrayList<>();
  private final List<Boolean> alive = new ArrayList<>();

  private TestCluster() {}

  /** The pekko settings of a test node: cluster.conf, but never exit the JVM, and fast gossip. */
  public static Config config(String seedNodes) {
    return ConfigFactory.parseString(
            "mechat.server.cluster-port = 0\n"
                + "mechat.server.seed-nodes = \""
                + seedNodes
                + "\"\n"
                + "pekko.actor.serialize-messages = on\n"
                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                + "pekko.coordinated-shutdown.exit-jvm = off\n"
                + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"
                + "pekko.coordinated-shutdown.run-by-actor-system-terminate = off\n"
                + "pekko.coordinated-shutdown.terminate-actor-system = on\n"
                + "pekko.cluster.gossip-interval = 200ms\n"
                + "pekko.cluster.leader-actions-interval = 200ms\n"
                + "pekko.cluster.periodic-tasks-initial-delay = 100ms\n")
        .withFallback(ClusterConfig.clusterDefaults())
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  /** {@code n} nodes, each with the test settings plus {@code overrides} (mechat.server lines). */
  public static TestCluster start(int n, String... overrides) {
    TestCluster c = new TestCluster();
    try {
      c.add(ChatServer.start(TestServers.settings(overrides), config("")));
      String seed = c.clusterAddress(0);
      List<CompletableFuture<ChatServer>> joining = new ArrayList<>();
      for (int i = 1; i < n; i++) {
        joining.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return ChatServer.start(TestServers.settings(overrides), config(seed));
                  } catch (Exception e) {
                    throw new IllegalStateException("node did not start", e);
                  }
                }));
      }
      for (CompletableFuture<ChatServer> j : joining) c.add(j.get(60, TimeUnit.SECONDS));
      c.awaitMatchmakerReady(Duration.ofSeconds(30));
      return c;
    } catch (Exception e) {
      c.close();
      throw new IllegalStateException("cluster did not start", e);
    }
  }

  private void add(ChatServer s) {
    nodes.add(s);
    alive.add(true);
  }

  public ChatServer node(int i) {
    return nodes.get(i);
  }

  public int port(int i) {
    return nodes.get(i).port();
  }

  public String clusterAddress(int i) {
    return nodes.get(i).clusterMember().orElseThrow();
  }

  private Address address(int i) {
    return Cluster.get(nodes.get(i).system()).selfMember().address();
  }

  /** The live node that hosts the matchmaker: the oldest Up member, as a live node sees it. */
  public int matchmakerNode() {
    Cluster view = Cluster.get(nodes.get(firstAlive()).system());
    Member oldest = null;
    for (Member m : view.state().getMembers()) {
      if (m.status() != MemberStatus.up()) continue;
      if (oldest == null || m.isOlderThan(oldest)) oldest = m;
    }
    for (int i = 0; i < nodes.size(); i++) {
      if (alive.get(i) && oldest != null && address(i).equals(oldest.address())) return i;
    }
    throw new IllegalStateException("no live node hosts the matchmaker");
  }

  private int firstAlive() {
    return alive.indexOf(true);
  }

  /** The matchmaker's view, asked through a live node's proxy. */
  public ClusterMatchmaker.View view() throws Exception {
    ChatServer s = nodes.get(firstAlive());
    return AskPattern.<ClusterMatchmaker.Command, ClusterMatchmaker.View>ask(
            ClusterNode.matchmaker(s.system()),
            ClusterMatchmaker.GetView::new,
            Duration.ofSeconds(3),
            s.system().scheduler())
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }

  /** The view, or null while the matchmaker does not answer (it is moving). */
  public ClusterMatchmaker.View viewOrNull() {
    try {
      return view();
    } catch (Exception e) {
      return null;
    }
  }

  public void awaitMatchmakerReady(Duration timeout) throws Exception {
    Awaits.until(
        () -> {
          ClusterMatchmaker.View v = viewOrNull();
          return v != null && v.ready() && v.registries() == alive.stream().filter(a -> a).count();
        },
        "the matchmaker to be ready with every node's registry",
        timeout);
  }

  /** Asks the matchmaker to fail; it restarts in place and rebuilds. */
  public void restartMatchmaker() {
    ClusterNode.matchmaker(nodes.get(firstAlive()).system())
        .tell(ClusterMatchmaker.Restart.INSTANCE);
  }

  /**
   * Kills node {@code i} as SIGKILL would (its actor system stops without leaving the cluster) and
   * has a survivor mark it down at once, which spares the tests the Split Brain Resolver's
   * stable-after (the process tests go through it).
   */
  public void crash(int i) throws Exception {
    Address victim = address(i);
    nodes.get(i).system().terminate();
    nodes.get(i).awaitTermination(Duration.ofSeconds(30));
    alive.set(i, false);
    Cluster.get(nodes.get(firstAlive()).system()).manager().tell(new Down(victim));
  }

  @Override
  public void close() {
    List<CompletableFuture<?>> stopping = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (!alive.get(i)) continue;
      ChatServer s = nodes.get(i);
      s.system().terminate();
      stopping.add(s.system().getWhenTerminated().toCompletableFuture());
    }
    try {
      CompletableFuture.allOf(stopping.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cluster did not stop", e);
    }
  }
}
