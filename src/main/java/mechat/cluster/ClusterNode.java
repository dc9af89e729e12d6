package mechat.cluster;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mechat.chat.MatchmakerActor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * A node's share of the cluster, started by the server's guardian: it joins (or forms) the cluster,
 * starts the matchmaker singleton's proxy (and the singleton itself, on the oldest node), this
 * node's {@link NodeRegistry}, and the membership and dropped-message watchers.
 */
public final class ClusterNode {
  private static final SingletonActor<ClusterMatchmaker.Command> MATCHMAKER =
      SingletonActor.of(ClusterMatchmaker.create(), "matchmaker")
          .withStopMessage(ClusterMatchmaker.Stop.INSTANCE);

  /** Where a node's membership is reported: this node Up?, members Up, members in all. */
  @FunctionalInterface
  public interface Membership {
    void changed(boolean selfUp, int membersUp, int members);
  }

  private ClusterNode() {}

  /**
   * Starts this node's actors under {@code context} and returns its registry, which is what this
   * node's connections and conversations use as their matchmaker.
   */
  public static ActorRef<MatchmakerActor.Command> start(
      ActorContext<?> context, ClusterSettings settings, Membership membership) {
    Cluster cluster = Cluster.get(context.getSystem());
    if (settings.seedNodes().isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address())); // a new cluster
    }
    context.spawn(MemberWatcher.create(membership), "cluster-members");
    context.spawn(DroppedListener.create(), "cluster-dropped");
    ActorRef<Object> registry =
        context.spawn(NodeRegistry.create(matchmaker(context.getSystem())), "registry");
    ActorSystem<?> system = context.getSystem();
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeServiceUnbind(),
            "mechat-registry-drain",
            () ->
                AskPattern.<Object, Done>ask(
                    registry, NodeRegistry.Drain::new, Duration.ofSeconds(3), system.scheduler()));
    return registry.narrow();
  }

  /** The proxy of the matchmaker singleton (the same one on every call). */
  public static ActorRef<ClusterMatchmaker.Command> matchmaker(ActorSystem<?> system) {
    return ClusterSingleton.get(system).init(MATCHMAKER);
  }

  /** This node's cluster address as {@code HOST:PORT}. */
  public static String address(ActorSystem<?> system) {
    Address a = Cluster.get(system).selfMember().address();
    return a.getHost().orElse("?") + ":" + a.getPort().orElse(0);
  }

  /**
   * Waits until this node is an Up member; fails if the system terminates first (it could not join
   * its seed nodes) or after {@code timeout}.
   */
  public static void awaitUp(ActorSystem<?> system, Duration timeout) throws Exception {
    CompletableFuture<Void> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster.get(system.classicSystem())
        .registerOnMemberUp(() -> up.complete(null));
    system
        .getWhenTerminated()
        .thenRun(() -> up.completeExceptionally(new IllegalStateException("the node stopped")));
    up.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
