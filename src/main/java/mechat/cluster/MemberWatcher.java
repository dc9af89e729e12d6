package mechat.cluster;

import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
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
          UniqueAddress self = cluster.selfMember().uniqueAddress();
          // The members as the events tell them: cluster.state() and selfMember() are updated by
          // another subscriber, and read right after an event may not show it yet (a node then
          // stayed "not up" for minutes).
          Map<UniqueAddress, Member> members = new HashMap<>();
          return Behaviors.receive(ClusterEvent.ClusterDomainEvent.class)
              .onAnyMessage(
                  e -> {
                    log(e);
                    if (track(members, e)) report(self, members, membership);
                    return Behaviors.same();
                  })
              .build();
        });
  }

  /** Applies a membership event; whether it was one. */
  private static boolean track(
      Map<UniqueAddress, Member> members, ClusterEvent.ClusterDomainEvent e) {
    // typed subscriptions give the state at subscription as events too
    if (e instanceof ClusterEvent.MemberRemoved removed) {
      members.remove(removed.member().uniqueAddress());
    } else if (e instanceof ClusterEvent.MemberEvent m) {
      members.put(m.member().uniqueAddress(), m.member());
    } else {
      return false;
    }
    return true;
  }

  private static void report(
      UniqueAddress self, Map<UniqueAddress, Member> members, ClusterNode.Membership membership) {
    int up = 0;
    for (Member m : members.values()) {
      if (m.status() == MemberStatus.up()) up++;
    }
    Member me = members.get(self);
    membership.changed(me != null && me.status() == MemberStatus.up(), up, members.size());
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
