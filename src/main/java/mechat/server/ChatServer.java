package mechat.server;

import com.typesafe.config.Config;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import mechat.chat.MatchmakerActor;
import mechat.transport.IncomingClient;
import mechat.transport.TcpListener;
import mechat.transport.TlsContexts;
import mechat.transport.TlsContexts.TlsSetupException;
import mechat.transport.TlsListener;
import mechat.web.Health;
import mechat.web.HttpListener;
import mechat.web.WebRoutes;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.BindFailedException;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the TCP listener (and the TLS one of §9, and the HTTP and HTTPS ones of §10, if
 * configured), feeds accepted clients of all of them to the {@link ServerGuardian}, and registers
 * the graceful shutdown of protocol §7 with CoordinatedShutdown: stop accepting, say {@code server
 * shutting down} to everyone after what is queued for them, close.
 *
 * <p>It owns the {@link Health} that {@code /health} reports: held back until every listener is
 * bound, and again from the first moment of the shutdown. The HTTP listener stays bound while the
 * connections drain, so that load balancers read 503 and a browser arriving then is told {@code
 * server shutting down}; it is closed once they have.
 */
public final class ChatServer {
  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);

  /** How long HTTP connections still open at the end of a shutdown may take to finish. */
  private static final Duration HTTP_CLOSE_DEADLINE = Duration.ofSeconds(1);

  private final ActorSystem<ServerGuardian.Command> system;
  private final Tcp.ServerBinding binding;
  private final Optional<TlsListener> tlsListener;
  private final Optional<Tcp.ServerBinding> tlsBinding;
  private final Web web;

  /** The HTTP side: its listeners (each optional), the health it reports and the meters. */
  private record Web(
      Optional<ServerBinding> http,
      Optional<ServerBinding> https,
      Health health,
      ServerMeters meters) {}

  private ChatServer(
      ActorSystem<ServerGuardian.Command> system,
      Tcp.ServerBinding binding,
      Optional<TlsListener> tlsListener,
      Optional<Tcp.ServerBinding> tlsBinding,
      Web web) {
    this.system = system;
    this.binding = binding;
    this.tlsListener = tlsListener;
    this.tlsBinding = tlsBinding;
    this.web = web;
  }

  /** An address that could not be bound, in one line: {@code cannot listen on H:P: reason}. */
  public static final class ListenFailedException extends Exception {
    ListenFailedException(String address, Throwable cause) {
      super("cannot listen on " + address + ": " + reason(cause), cause);
    }

    private static String reason(Throwable e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      String why =
          cause instanceof BindFailedException && cause.getCause() != null
              ? cause.getCause().getMessage()
              : cause.getMessage();
      return why == null ? cause.toString() : why.replaceFirst("^\\[[^]]*\\] ", "");
    }
  }

  /** Starts a server without TLS; see {@link #start(ServerSettings, Config, Optional)}. */
  public static ChatServer start(ServerSettings settings, Config config) throws Exception {
    return start(settings, config, Optional.empty());
  }

  /**
   * Starts an actor system and binds the plain listener and, when the settings have a TLS port, the
   * TLS listener with {@code tlsContext} (from {@link #loadTls}), then the HTTP and HTTPS listeners
   * they ask for (HTTPS with the same context). Fails with a {@link ListenFailedException} (and the
   * system terminated) when an address cannot be bound.
   */
  public static ChatServer start(
      ServerSettings settings, Config config, Optional<SSLContext> tlsContext) throws Exception {
    if (settings.needsKeystore() != tlsContext.isPresent()) {
      throw new IllegalArgumentException(
          "a TLS or HTTPS port needs a TLS context, and only a TLS or HTTPS port");
    }
    ServerMeters meters = new ServerMeters();
    Health health = new Health();
    ActorSystem<ServerGuardian.Command> system =
        ActorSystem.create(ServerGuardian.create(settings, meters), "mechat", config);
    int maxLineBytes = settings.connection().maxLineBytes();
    Sink<IncomingClient, CompletionStage<Done>> guardian =
        Sink.foreach(c -> system.tell(new ServerGuardian.Accepted(c)));
    Tcp.ServerBinding binding = null;
    Optional<TlsListener> tlsListener =
        settings.tls().isPresent() ? tlsContext.map(TlsListener::new) : Optional.empty();
    Optional<Tcp.ServerBinding> tlsBinding = Optional.empty();
    Optional<ServerBinding> httpBinding = Optional.empty();
    Optional<ServerBinding> httpsBinding = Optional.empty();
    String address = settings.host() + ":" + settings.port();
    try {
      binding =
          await(
              TcpListener.bind(system, settings.host(), settings.port(), maxLineBytes)
                  .to(guardian)
                  .run(system));
      if (tlsListener.isPresent()) {
        int tlsPort = settings.tls().get().port();
        address = settings.host() + ":" + tlsPort + " (tls)";
        tlsBinding =
            Optional.of(
                await(
                    tlsListener
                        .get()
                        .bind(system, settings.host(), tlsPort, maxLineBytes)
                        .to(guardian)
                        .run(system)));
      }
      if (settings.http().isOn()) {
        meters.bindJvmAndDispatcher(system);
        Route routes = webRoutes(system, settings, health, meters);
        if (settings.http().port().isPresent()) {
          int port = settings.http().port().get();
          address = settings.host() + ":" + port + " (http)";
          httpBinding =
              Optional.of(await(bindHttp(system, settings, port, Optional.empty(), routes)));
        }
        if (settings.http().https().isPresent()) {
          int port = settings.http().https().get().port();
          address = settings.host() + ":" + port + " (https)";
          httpsBinding = Optional.of(await(bindHttp(system, settings, port, tlsContext, routes)));
        }
      }
    } catch (Exception e) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
      meters.close();
      throw new ListenFailedException(address, e);
    }
    ChatServer server =
        new ChatServer(
            system,
            binding,
            tlsListener,
            tlsBinding,
            new Web(httpBinding, httpsBinding, health, meters));
    server.registerShutdown();
    health.release(Health.STARTING);
    log.info("listening on {}", IncomingClient.format(server.address()));
    tlsBinding.ifPresent(
        b -> log.info("listening on {} (tls)", IncomingClient.format(b.localAddress())));
    httpBinding.ifPresent(
        b -> log.info("listening on {} (http)", IncomingClient.format(b.localAddress())));
    httpsBinding.ifPresent(
        b -> log.info("listening on {} (https)", IncomingClient.format(b.localAddress())));
    return server;
  }

  private static Route webRoutes(
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

  private static CompletionStage<ServerBinding> bindHttp(
      ActorSystem<?> system,
      ServerSettings settings,
      int port,
      Optional<SSLContext> tls,
      Route routes) {
    return HttpListener.bind(
        system,
        settings.host(),
        port,
        tls,
        routes,
        settings.http(),
        settings.maxConnections(),
        settings.connection().slowReaderTimeout());
  }

  /** The meters as text, after asking the matchmaker for its current counts (stale if it fails). */
  private static CompletionStage<String> freshMetrics(
      ActorSystem<ServerGuardian.Command> system, ServerMeters meters) {
    Duration timeout = Duration.ofSeconds(2);
    return AskPattern.<ServerGuardian.Command, ActorRef<MatchmakerActor.Command>>ask(
            system, ServerGuardian.GetMatchmaker::new, timeout, system.scheduler())
        .thenCompose(
            matchmaker ->
                AskPattern.<MatchmakerActor.Command, MatchmakerActor.Stats>ask(
                    matchmaker, MatchmakerActor.GetStats::new, timeout, system.scheduler()))
        .handle(
            (stats, failure) -> {
              if (stats != null) meters.matchmaker(stats);
              return meters.scrape();
            });
  }

  /**
   * The server's TLS context, if the settings ask for a TLS or an HTTPS listener: the keystore's
   * password is read from the environment variable the settings name.
   */
  public static Optional<SSLContext> loadTls(
      ServerSettings settings, Function<String, String> environment) throws TlsSetupException {
    if (!settings.needsKeystore()) return Optional.empty();
    String keystore =
        settings
            .tls()
            .map(ServerSettings.Tls::keystore)
            .orElseGet(() -> settings.http().https().get().keystore());
    String passwordEnv =
        settings
            .tls()
            .map(ServerSettings.Tls::passwordEnv)
            .orElseGet(() -> settings.http().https().get().passwordEnv());
    String password = environment.apply(passwordEnv);
    if (password == null) {
      throw new TlsSetupException(
          "environment variable "
              + passwordEnv
              + " is not set: it must hold the keystore's password (--tls-keystore-password-env)");
    }
    return Optional.of(TlsContexts.server(Path.of(keystore), password.toCharArray()));
  }

  private static <T> T await(CompletionStage<T> bound) throws Exception {
    return bound.toCompletableFuture().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void registerShutdown() {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceUnbind(),
        "unbind",
        () -> {
          web.health().holdBack(Health.SHUTTING_DOWN);
          log.info("shutting down: no new connections, saying goodbye to every client");
          CompletionStage<?> tlsUnbound =
              tlsBinding
                  .<CompletionStage<?>>map(Tcp.ServerBinding::unbind)
                  .orElse(CompletableFuture.completedFuture(null));
          return binding.unbind().thenCombine(tlsUnbound, (u, v) -> Done.getInstance());
        });
    Duration drainTimeout =
        Duration.ofMillis(
            shutdown.timeout(CoordinatedShutdown.PhaseServiceRequestsDone()).toMillis());
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
    // A TLS connection's last bytes pass one more stage after its actor has stopped.
    tlsListener.ifPresent(
        tls ->
            shutdown.addTask(
                CoordinatedShutdown.PhaseServiceStop(), "tls-close-notify", tls::allClosed));
    // The HTTP listener answered /health (503) and refused new browsers while the others drained.
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceStop(),
        "http-unbind",
        () ->
            CompletableFuture.allOf(
                    web.http().map(ChatServer::closeHttp).orElse(done()),
                    web.https().map(ChatServer::closeHttp).orElse(done()))
                .thenApply(v -> Done.getInstance()));
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "close-meters",
        () -> {
          web.meters().close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
  }

  private static CompletableFuture<?> closeHttp(ServerBinding binding) {
    return binding.terminate(HTTP_CLOSE_DEADLINE).toCompletableFuture();
  }

  private static CompletableFuture<?> done() {
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  public InetSocketAddress address() {
    return binding.localAddress();
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  /** The TLS listener's port, when there is one. */
  public Optional<Integer> tlsPort() {
    return tlsBinding.map(b -> b.localAddress().getPort());
  }

  /** The HTTP listener's port, when there is one. */
  public Optional<Integer> httpPort() {
    return web.http().map(b -> b.localAddress().getPort());
  }

  /** The HTTPS listener's port, when there is one. */
  public Optional<Integer> httpsPort() {
    return web.https().map(b -> b.localAddress().getPort());
  }

  /** What {@code /health} reports; the cluster may hold it back for reasons of its own. */
  public Health health() {
    return web.health();
  }

  public ServerMeters meters() {
    return web.meters();
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
