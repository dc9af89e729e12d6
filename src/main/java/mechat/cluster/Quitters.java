package mechat.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import mechat.chat.ConnectionActor;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A registry's clients that quit, each waiting for the matchmaker to ack the release of its name:
 * then it is told {@code Released} and says {@code bye}, so that nobody on any node is matched with
 * it or refused its name after that. A matchmaker on the move does not ack for seconds: past {@link
 * #PATIENCE} the client is told all the same.
 */
final class Quitters {
  static final Duration PATIENCE = Duration.ofSeconds(1);

  private record Quitter(ActorRef<ConnectionActor.MatchmakerReply> replyTo, long sinceNanos) {}

  private final Map<Long, Quitter> byRelease = new HashMap<>();

  /** The client waits for the ack of the Release request {@code releaseId}. */
  void await(long releaseId, ActorRef<ConnectionActor.MatchmakerReply> replyTo, long nowNanos) {
    byRelease.put(releaseId, new Quitter(replyTo, nowNanos));
  }

  /** A request was acked: if it was a quitter's release, the quitter is told. */
  void acked(long requestId) {
    Quitter q = byRelease.remove(requestId);
    if (q != null) q.replyTo().tell(ConnectionActor.Released.INSTANCE);
  }

  /** Tells those that have waited longer than {@link #PATIENCE}. */
  void expire(long nowNanos) {
    byRelease
        .values()
        .removeIf(
            q -> {
              if (nowNanos - q.sinceNanos() < PATIENCE.toNanos()) return false;
              q.replyTo().tell(ConnectionActor.Released.INSTANCE);
              return true;
            });
  }
}
