package mechat.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A registry's requests to the matchmaker that are not acked yet, in the order they were made: each
 * is sent again once it has waited a retry interval (the singleton proxy loses what it forwards to
 * a dead matchmaker until that node is removed).
 */
final class PendingRequests {
  static final Duration RETRY = Duration.ofSeconds(1);

  private record Pending(ClusterMatchmaker.Request request, long sentNanos) {}

  private final Map<Long, Pending> pending = new LinkedHashMap<>();
  private long nextId;

  long nextId() {
    return ++nextId;
  }

  /** The id that {@link #nextId} gave last. */
  long lastId() {
    return nextId;
  }

  void add(ClusterMatchmaker.Request request, long nowNanos) {
    pending.put(request.id(), new Pending(request, nowNanos));
  }

  /** The request acked, or null if it was not pending (a duplicate ack). */
  ClusterMatchmaker.Request ack(long id) {
    Pending p = pending.remove(id);
    return p == null ? null : p.request();
  }

  /** Forgets requests that no longer matter (a claim of a client that has left). */
  void drop(Predicate<ClusterMatchmaker.Request> which) {
    pending.values().removeIf(p -> which.test(p.request()));
  }

  /** The requests due for another try, oldest first; their clocks restart now. */
  List<ClusterMatchmaker.Request> due(long nowNanos) {
    List<ClusterMatchmaker.Request> due = new ArrayList<>();
    for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Pending> e = it.next();
      if (nowNanos - e.getValue().sentNanos() >= RETRY.toNanos()) {
        due.add(e.getValue().request());
        e.setValue(new Pending(e.getValue().request(), nowNanos));
      }
    }
    return due;
  }

  int size() {
    return pending.size();
  }
}
