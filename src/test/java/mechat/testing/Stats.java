package mechat.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mechat.chat.MatchmakerActor;
import mechat.server.ChatServer;
import mechat.server.ServerGuardian;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/** Asks a running server for its counts: a synchronisation point for tests. */
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

  /** How many connections the server holds (accepted and not yet closed). */
  public static int connections(ChatServer server) throws Exception {
    return AskPattern.<ServerGuardian.Command, Integer>ask(
            server.system(),
            ServerGuardian.GetConnectionCount::new,
            Duration.ofSeconds(5),
            server.system().scheduler())
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }
}
