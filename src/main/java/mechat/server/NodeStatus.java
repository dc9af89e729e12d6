package mechat.server;

import java.util.Optional;
import mechat.web.Health;

/**
 * Whether this node takes clients now, for {@code /health} (§10) and the stats line: its listeners
 * are bound and it is not shutting down, and, in a cluster (§11), it is an Up member. The server
 * flips the first; the cluster's membership events flip the second (a single node is always a
 * member). It keeps the answer in the {@link Health} that the HTTP routes read.
 */
public final class NodeStatus {
  /** Why a cluster node that is not an Up member takes no clients. */
  public static final String NOT_UP = "not an Up cluster member";

  private final boolean clustered;
  private final Health health = new Health();
  private volatile boolean member;
  private volatile int membersUp;
  private volatile int members;

  private NodeStatus(boolean clustered) {
    this.clustered = clustered;
    this.member = !clustered;
    this.membersUp = clustered ? 0 : 1;
    this.members = membersUp;
    if (clustered) health.holdBack(NOT_UP);
  }

  /** A server on its own: a member from the start. */
  public static NodeStatus singleNode() {
    return new NodeStatus(false);
  }

  /** A cluster node: not a member until the cluster says it is Up. */
  public static NodeStatus clusterNode() {
    return new NodeStatus(true);
  }

  /** Every listener is bound: clients are taken from now on. */
  void listenersBound() {
    health.release(Health.STARTING);
  }

  /** The shutdown has begun: no new clients. */
  void stopping() {
    health.holdBack(Health.SHUTTING_DOWN);
  }

  /**
   * From the cluster's membership events: whether this node is an Up member, and how many members
   * are Up out of how many the cluster knows.
   */
  public void membership(boolean selfUp, int membersUp, int members) {
    this.member = selfUp;
    this.membersUp = membersUp;
    this.members = members;
    if (!clustered) return;
    if (selfUp) health.release(NOT_UP);
    else health.holdBack(NOT_UP);
  }

  /** What {@code /health} reads. */
  public Health health() {
    return health;
  }

  /** What {@code GET /health} answers 200 for: accepting, and (in a cluster) an Up member. */
  public boolean ready() {
    return health.unavailable().isEmpty();
  }

  /** Why the node does not take clients now, or empty when it does (503 vs 200 for /health). */
  public Optional<String> unavailable() {
    return health.unavailable();
  }

  public boolean isClustered() {
    return clustered;
  }

  public boolean isUpMember() {
    return member;
  }

  public int membersUp() {
    return membersUp;
  }

  /** The end of the stats line: nothing for a single server, the membership for a cluster node. */
  public String statsSuffix() {
    if (!clustered) return "";
    return "; cluster: "
        + membersUp
        + " of "
        + members
        + " members up, this node "
        + (member ? "up" : "not up");
  }
}
