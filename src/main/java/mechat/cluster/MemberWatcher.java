package mechat.cluster;

import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the cluster's membership: logs each member's changes for operators and reports, after
 * each, whether this node is an Up member and how many members are Up (for {@code /health} and the
 * stats line).
 */
final class MemberWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(MemberWatcher.class);

  private MemberWatcher() {}

  static Behavior<ClusterEvent.ClusterDomainEvent> create(ClusterNode.Membership membership) {
    return Behaviors.setup(
        ctx -> {
          Cluster cluster = Cluster.get(ctx.getSystem());
          cluster
              .subscriptions()
              .tell(Subscribe.create(ctx.getSelf().narrow(), ClusterEvent.MemberEvent.class));
          cluster
              .subscriptions()
              .tell(Subscribe.create(ctx.getSelf().narrow(), ClusterEvent.ReachabilityEvent.class));
          Consumer<ClusterEvent.ClusterDomainEvent> onEvent =
              e -> {
                log(e);
                report(cluster, membership);
              };
          return Behaviors.receive(ClusterEvent.ClusterDomainEvent.class)
              .onAnyMessage(
                  e -> {
                    onEvent.accept(e);
                    return Behaviors.same();
                  })
              .build();
        });
  }

  private static void report(Cluster cluster, ClusterNode.Membership membership) {
    int up = 0;
    int all = 0;
    for (Member m : cluster.state().getMembers()) {
      all++;
      if (m.status() == MemberStatus.up()) up++;
    }
    membership.changed(cluster.selfMember().status() == MemberStatus.up(), up, all);
  }

  private static void log(ClusterEvent.ClusterDomainEvent e) {
    if (e instanceof ClusterEvent.MemberEvent m) {
      String what = m.getClass().getSimpleName().replaceFirst("^Member", "").toLowerCase();
      LOG.info("cluster member {} {}", address(m.member()), what);
    } else if (e instanceof ClusterEvent.UnreachableMember u) {
      LOG.warn("cluster member {} unreachable", address(u.member()));
    } else if (e instanceof ClusterEvent.ReachableMember r) {
      LOG.info("cluster member {} reachable again", address(r.member()));
    }
  }

  static String address(Member m) {
    return m.address().getHost().orElse("?") + ":" + m.address().getPort().orElse(0);
  }
}
