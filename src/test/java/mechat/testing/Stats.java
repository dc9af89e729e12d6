package mechat.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mechat.server.ChatServer;
import mechat.server.MatchmakerActor;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/** Asks a running server's matchmaker for its counts: a synchronisation point for tests. */
public final class Stats {
  private Stats() {}

  public static MatchmakerActor.Stats of(ChatServer server) throws Exception {
    var matchmaker = server.matchmaker().toCompletableFuture().get(5, TimeUnit.SECONDS);
    return AskPattern.<MatchmakerActor.Command, MatchmakerActor.Stats>ask(
            matchmaker,
            MatchmakerActor.GetStats::new,
            Duration.ofSeconds(5),
            server.system().scheduler())
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }
}
