package mechat.server;

import com.typesafe.config.Config;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the TCP listener, feeds accepted connections to the {@link ServerGuardian}, and registers
 * the graceful shutdown of protocol §7 with CoordinatedShutdown: stop accepting, say {@code server
 * shutting down} to everyone after what is queued for them, close.
 */
public final class ChatServer {
  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
  private static final int BACKLOG = 1024;
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);

  private final ActorSystem<ServerGuardian.Command> system;
  private final Tcp.ServerBinding binding;

  private ChatServer(ActorSystem<ServerGuardian.Command> system, Tcp.ServerBinding binding) {
    this.system = system;
    this.binding = binding;
  }

  /**
   * Starts an actor system and binds. Fails (with the system terminated) when the address cannot
   * be bound; the cause is a {@code BindFailedException}.
   */
  public static ChatServer start(ServerSettings settings, Config config) throws Exception {
    ActorSystem<ServerGuardian.Command> system =
        ActorSystem.create(ServerGuardian.create(settings), "mechat", config);
    List<Inet.SocketOption> options = List.of(TcpSO.tcpNoDelay(true), TcpSO.keepAlive(true));
    CompletionStage<Tcp.ServerBinding> bound =
        Tcp.get(system)
            .bind(settings.host(), settings.port(), BACKLOG, options, false, Optional.empty())
            .to(Sink.foreach(c -> system.tell(new ServerGuardian.Accepted(c))))
            .run(system);
    Tcp.ServerBinding binding;
    try {
      binding = bound.toCompletableFuture().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
      throw e;
    }
    ChatServer server = new ChatServer(system, binding);
    server.registerShutdown();
    log.info("listening on {}", ServerGuardian.format(server.address()));
    return server;
  }

  private void registerShutdown() {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceUnbind(),
        "unbind",
        () -> {
          log.info("shutting down: no new connections, saying goodbye to every client");
          return binding.unbind().thenApply(u -> Done.getInstance());
        });
    Duration drainTimeout =
        Duration.ofMillis(shutdown.timeout(CoordinatedShutdown.PhaseServiceRequestsDone()).toMillis());
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceRequestsDone(),
        "say-goodbye",
        () -> {
          long start = System.nanoTime();
          return AskPattern.<ServerGuardian.Command, Done>ask(
                  system, ServerGuardian.Drain::new, drainTimeout, system.scheduler())
              .whenComplete(
                  (done, failure) -> {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (failure == null) {
                      log.info("all connections closed in {} ms", ms);
                    } else {
                      log.warn("gave up waiting for connections to close after {} ms", ms);
                    }
                  });
        });
  }

  public InetSocketAddress address() {
    return binding.localAddress();
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  public ActorSystem<ServerGuardian.Command> system() {
    return system;
  }

  /** The matchmaker, for tests and stats. */
  public CompletionStage<ActorRef<MatchmakerActor.Command>> matchmaker() {
    return AskPattern.ask(
        system, ServerGuardian.GetMatchmaker::new, Duration.ofSeconds(5), system.scheduler());
  }

  /** Runs the graceful shutdown and waits for the actor system to terminate. */
  public void stop(Duration timeout) throws Exception {
    CoordinatedShutdown.get(system)
        .runAll(CoordinatedShutdown.unknownReason())
        .toCompletableFuture()
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    awaitTermination(timeout);
  }

  public void awaitTermination(Duration timeout) throws Exception {
    system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
