package mechat.web;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code GET /health} answers (§10): ready while nothing holds it back. The server owns one,
 * holds it back with {@link #STARTING} until every listener is bound and with {@link
 * #SHUTTING_DOWN} from the moment its shutdown begins; other conditions (a cluster node that is not
 * Up, say) are reasons of their own.
 */
public final class Health {
  public static final String STARTING = "starting";
  public static final String SHUTTING_DOWN = "shutting down";

  private final Set<String> reasons = new TreeSet<>(Set.of(STARTING));

  /** Not ready while {@code reason} holds (idempotent). */
  public synchronized void holdBack(String reason) {
    reasons.add(reason);
  }

  /** {@code reason} no longer holds. */
  public synchronized void release(String reason) {
    reasons.remove(reason);
  }

  /** Why the server does not accept clients now, or empty when it does. */
  public synchronized Optional<String> unavailable() {
    return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", reasons));
  }
}
