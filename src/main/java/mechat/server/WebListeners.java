package mechat.server;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import mechat.chat.MatchmakerActor;
import mechat.transport.IncomingClient;
import mechat.web.Health;
import mechat.web.HttpListener;
import mechat.web.WebRoutes;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's HTTP side (§10): the HTTP and HTTPS listeners its settings ask for, serving {@link
 * WebRoutes} with the server's {@link Health} and {@link ServerMeters}, browsers going to the
 * {@link ServerGuardian} like every other client.
 */
final class WebListeners {
  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);

  /** How long HTTP connections still open at the end of a shutdown may take to finish. */
  private static final Duration CLOSE_DEADLINE = Duration.ofSeconds(1);

  /** How long /metrics waits for the matchmaker's counts before it shows the last ones. */
  private static final Duration STATS_TIMEOUT = Duration.ofSeconds(2);

  private final Optional<ServerBinding> http;
  private final Optional<ServerBinding> https;

  private WebListeners(Optional<ServerBinding> http, Optional<ServerBinding> https) {
    this.http = http;
    this.https = https;
  }

  /**
   * Binds what the settings ask for (nothing when HTTP is off), HTTPS with {@code tls}; fails with
   * a {@link ChatServer.ListenFailedException} naming the address that could not be bound.
   */
  static WebListeners bind(
      ActorSystem<ServerGuardian.Command> system,
      ServerSettings settings,
      Optional<SSLContext> tls,
      Health health,
      ServerMeters meters,
      Duration bindTimeout)
      throws ChatServer.ListenFailedException {
    if (!settings.http().isOn()) return new WebListeners(Optional.empty(), Optional.empty());
    meters.bindJvmAndDispatcher(system);
    Route routes = routes(system, settings, health, meters);
    Optional<ServerBinding> http = Optional.empty();
    if (settings.http().port().isPresent()) {
      int port = settings.http().port().get();
      http = Optional.of(bind(system, settings, port, Optional.empty(), routes, bindTimeout));
    }
    Optional<ServerBinding> https = Optional.empty();
    if (settings.http().https().isPresent()) {
      int port = settings.http().https().get().port();
      https = Optional.of(bind(system, settings, port, tls, routes, bindTimeout));
    }
    return new WebListeners(http, https);
  }

  private static ServerBinding bind(
      ActorSystem<?> system,
      ServerSettings settings,
      int port,
      Optional<SSLContext> tls,
      Route routes,
      Duration timeout)
      throws ChatServer.ListenFailedException {
    try {
      return HttpListener.bind(
              system,
              settings.host(),
              port,
              tls,
              routes,
              settings.http(),
              settings.maxConnections(),
              settings.connection().slowReaderTimeout())
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      String address = settings.host() + ":" + port + (tls.isPresent() ? " (https)" : " (http)");
      throw new ChatServer.ListenFailedException(address, e);
    }
  }

  private static Route routes(
      ActorSystem<ServerGuardian.Command> system,
      ServerSettings settings,
      Health health,
      ServerMeters meters) {
    return WebRoutes.create(
        system,
        settings.http(),
        settings.connection().maxLineBytes(),
        new WebRoutes.Server(
            c -> system.tell(new ServerGuardian.Accepted(c)),
            health,
            () -> freshMetrics(system, meters),
            () -> meters.refused(ServerMeters.ORIGIN_NOT_ALLOWED)));
  }

  /** The meters as text, after asking the matchmaker for its current counts (stale if it fails). */
  private static CompletionStage<String> freshMetrics(
      ActorSystem<ServerGuardian.Command> system, ServerMeters meters) {
    return AskPattern.<ServerGuardian.Command, ActorRef<MatchmakerActor.Command>>ask(
            system, ServerGuardian.GetMatchmaker::new, STATS_TIMEOUT, system.scheduler())
        .thenCompose(
            matchmaker ->
                AskPattern.<MatchmakerActor.Command, MatchmakerActor.Stats>ask(
                    matchmaker, MatchmakerActor.GetStats::new, STATS_TIMEOUT, system.scheduler()))
        .handle(
            (stats, failure) -> {
              if (stats != null) meters.matchmaker(stats);
              return meters.scrape();
            });
  }

  Optional<Integer> httpPort() {
    return http.map(b -> b.localAddress().getPort());
  }

  Optional<Integer> httpsPort() {
    return https.map(b -> b.localAddress().getPort());
  }

  void logListening() {
    http.ifPresent(
        b -> log.info("listening on {} (http)", IncomingClient.format(b.localAddress())));
    https.ifPresent(
        b -> log.info("listening on {} (https)", IncomingClient.format(b.localAddress())));
  }

  /** Unbinds, and closes the connections still open (after at most {@link #CLOSE_DEADLINE}). */
  CompletionStage<Done> close() {
    return CompletableFuture.allOf(close(http), close(https)).thenApply(v -> Done.getInstance());
  }

  private static CompletableFuture<?> close(Optional<ServerBinding> binding) {
    return binding
        .<CompletableFuture<?>>map(b -> b.terminate(CLOSE_DEADLINE).toCompletableFuture())
        .orElse(CompletableFuture.completedFuture(Done.getInstance()));
  }
}
