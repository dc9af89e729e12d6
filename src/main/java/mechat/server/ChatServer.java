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
import mechat.cluster.ClusterConfig;
import mechat.cluster.ClusterNode;
import mechat.cluster.ClusterSettings;
import mechat.transport.IncomingClient;
import mechat.transport.TcpListener;
import mechat.transport.TlsContexts;
import mechat.transport.TlsContexts.TlsSetupException;
import mechat.transport.TlsListener;
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
 * <p>Its {@link NodeStatus} is what {@code /health} reports: held back until every listener is
 * bound, and again from the first moment of the shutdown. The HTTP listeners stay bound while the
 * connections drain, so that load balancers read 503 and a browser arriving then is told {@code
 * server shutting down}; they are closed once the others have.
 *
 * <p>With {@code cluster-port} set (§11) it is one node of a cluster: the actor system joins it (or
 * forms it) and the listeners are bound only once this node is an Up member; until then, and
 * whenever the node is not one, its {@link NodeStatus} holds {@code /health} back too.
 */
public final class ChatServer {
  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);

  /** The actor system's name: the same on every node of a cluster. */
  public static final String SYSTEM_NAME = "mechat";

  /** How long a cluster node may take to join (its seed nodes give up after 30 s). */
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);

  private final ActorSystem<ServerGuardian.Command> system;
  private final Tcp.ServerBinding binding;
  private final Optional<TlsListener> tlsListener;
  private final Optional<Tcp.ServerBinding> tlsBinding;
  private final WebListeners web;
  private final NodeStatus status;
  private final ServerMeters meters;

  private ChatServer(
      ActorSystem<ServerGuardian.Command> system,
      Tcp.ServerBinding binding,
      Optional<TlsListener> tlsListener,
      Optional<Tcp.ServerBinding> tlsBinding,
      WebListeners web,
      NodeStatus status,
      ServerMeters meters) {
    this.system = system;
    this.binding = binding;
    this.tlsListener = tlsListener;
    this.tlsBinding = tlsBinding;
    this.web = web;
    this.status = status;
    this.meters = meters;
  }

  /**
   * The shutdown of a server that could not start: in cluster mode it must not exit the JVM
   * (cluster.conf's override), so that {@code mechat server} can say why and exit 1.
   */
  public enum StartFailed implements CoordinatedShutdown.Reason {
    INSTANCE
  }

  /** A cluster node that did not become an Up member (its seed nodes were not reached in time). */
  public static final class JoinFailedException extends Exception {
    JoinFailedException(ClusterSettings cluster, Throwable cause) {
      super(
          "could not join the cluster"
              + (cluster.seedNodes().isEmpty() ? "" : " through " + cluster.seedNodes()),
          cause);
    }
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
    Optional<ClusterSettings> cluster = ClusterSettings.fromConfig(config);
    NodeStatus status = cluster.isPresent() ? NodeStatus.clusterNode() : NodeStatus.singleNode();
    ActorSystem<ServerGuardian.Command> system =
        ActorSystem.create(
            ServerGuardian.create(settings, meters, status, matchmaker(cluster, status)),
            SYSTEM_NAME,
            cluster.map(c -> ClusterConfig.forNode(c, config, SYSTEM_NAME)).orElse(config));
    if (cluster.isPresent()) awaitMembership(system, cluster.get(), meters);
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
      web = WebListeners.bind(system, settings, tlsContext, status.health(), meters, BIND_TIMEOUT);
    } catch (Exception e) {
      if (cluster.isPresent()) {
        CoordinatedShutdown.get(system).runAll(StartFailed.INSTANCE);
      } else {
        system.terminate();
      }
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      meters.close();
      throw e instanceof ListenFailedException failed
          ? failed
          : new ListenFailedException(address, e);
    }
    ChatServer server =
        new ChatServer(system, binding, tlsListener, tlsBinding, web, status, meters);
    server.registerShutdown();
    status.listenersBound();
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

  private static ServerGuardian.MatchmakerStarter matchmaker(
      Optional<ClusterSettings> cluster, NodeStatus status) {
    if (cluster.isEmpty()) return ServerGuardian.LOCAL_MATCHMAKER;
    return context -> ClusterNode.start(context, cluster.get(), status::membership);
  }

  private static void awaitMembership(
      ActorSystem<ServerGuardian.Command> system, ClusterSettings cluster, ServerMeters meters)
      throws Exception {
    try {
      ClusterNode.awaitUp(system, JOIN_TIMEOUT);
    } catch (Exception e) {
      CoordinatedShutdown.get(system).runAll(StartFailed.INSTANCE);
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      meters.close();
      throw new JoinFailedException(cluster, e);
    }
    log.info("cluster member {} up", ClusterNode.address(system));
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
          status.stopping();
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

  /** Whether this node takes clients now: what {@code /health} reports (§10, §11). */
  public NodeStatus nodeStatus() {
    return status;
  }

  /** In cluster mode, this node's cluster address ({@code HOST:PORT}); empty on a single server. */
  public Optional<String> clusterMember() {
    return status.isClustered() ? Optional.of(ClusterNode.address(system)) : Optional.empty();
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
