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
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.BindFailedException;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the TCP listener (and the TLS one of §9, and the {@link WebListeners} of §10, if
 * configured), feeds accepted clients of all of them to the {@link ServerGuardian}, and registers
 * the graceful shutdown of protocol §7 with CoordinatedShutdown: stop accepting, say {@code server
 * shutting down} to everyone after what is queued for them, close.
 *
 * <p>It owns the {@link Health} that {@code /health} reports: held back until every listener is
 * bound, and again from the first moment of the shutdown. The HTTP listeners stay bound while the
 * connections drain, so that load balancers read 503 and a browser arriving then is told {@code
 * server shutting down}; they are closed once the others have.
 */
public final class ChatServer {
  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);

  private final ActorSystem<ServerGuardian.Command> system;
  private final Tcp.ServerBinding binding;
  private final Optional<TlsListener> tlsListener;
  private final Optional<Tcp.ServerBinding> tlsBinding;
  private final WebListeners web;
  private final Health health;
  private final ServerMeters meters;

  private ChatServer(
      ActorSystem<ServerGuardian.Command> system,
      Tcp.ServerBinding binding,
      Optional<TlsListener> tlsListener,
      Optional<Tcp.ServerBinding> tlsBinding,
      WebListeners web,
      Health health,
      ServerMeters meters) {
    this.system = system;
    this.binding = binding;
    this.tlsListener = tlsListener;
    this.tlsBinding = tlsBinding;
    this.web = web;
    this.health = health;
    this.meters = meters;
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
    WebListeners web;
    String address = settings.host() + ":" + settings.port();
    try {
      binding =
          await(
              TcpListener.bind(system, settings.host(), settings.port(), maxLineBytes)
                  .to(guardian)
                  .addAttributes(TcpListener.ACCEPTING)
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
                        .addAttributes(TcpListener.ACCEPTING)
                        .run(system)));
      }
      web = WebListeners.bind(system, settings, tlsContext, health, meters, BIND_TIMEOUT);
    } catch (Exception e) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
      meters.close();
      throw e instanceof ListenFailedException failed
          ? failed
          : new ListenFailedException(address, e);
    }
    ChatServer server =
        new ChatServer(system, binding, tlsListener, tlsBinding, web, health, meters);
    server.registerShutdown();
    health.release(Health.STARTING);
    log.info("listening on {}", IncomingClient.format(server.address()));
    tlsBinding.ifPresent(
        b -> log.info("listening on {} (tls)", IncomingClient.format(b.localAddress())));
    web.logListening();
    return server;
  }

  /**
   * The server's TLS context, if the settings ask for a TLS or an HTTPS listener (both use the same
   * keystore): the keystore's password is read from the environment variable the settings name.
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

  private static Tcp.ServerBinding await(CompletionStage<Tcp.ServerBinding> bound)
      throws Exception {
    return bound.toCompletableFuture().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void registerShutdown() {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceUnbind(),
        "unbind",
        () -> {
          health.holdBack(Health.SHUTTING_DOWN);
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
    // The HTTP listeners answered /health (503) and refused new browsers while the rest drained.
    shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), "http-unbind", web::close);
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "close-meters",
        () -> {
          meters.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
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
    return web.httpPort();
  }

  /** The HTTPS listener's port, when there is one. */
  public Optional<Integer> httpsPort() {
    return web.httpsPort();
  }

  /** What {@code /health} reports; a cluster may hold it back for reasons of its own. */
  public Health health() {
    return health;
  }

  public ServerMeters meters() {
    return meters;
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
