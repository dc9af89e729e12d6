package mechat.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import mechat.chat.MatchmakerActor;
import mechat.chat.ServerMetrics;
import mechat.transport.IncomingClient;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.dispatch.Dispatcher;
import org.apache.pekko.dispatch.MessageDispatcher;

/**
 * The server's meters, in one Micrometer registry read by both {@code /metrics} (§10) and the stats
 * line: connections by transport, named and waiting clients and conversations (the matchmaker's
 * counts as last asked), lines relayed (the connection actors' own counter), and refused
 * connections by reason; plus, once bound, the JVM's and Pekko's default dispatcher's. No meter
 * carries a username, an address or a message.
 */
public final class ServerMeters implements AutoCloseable {
  /** Why a connection was refused: the {@code reason} label. */
  public static final String SERVER_FULL = "server_full";

  public static final String TOO_MANY_CONNECTIONS = "too_many_connections";
  public static final String SHUTTING_DOWN = "shutting_down";
  public static final String ORIGIN_NOT_ALLOWED = "origin_not_allowed";

  private static final List<String> TRANSPORTS =
      List.of(IncomingClient.TCP, IncomingClient.TLS, IncomingClient.WEBSOCKET);
  private static final List<String> REASONS =
      List.of(SERVER_FULL, TOO_MANY_CONNECTIONS, SHUTTING_DOWN, ORIGIN_NOT_ALLOWED);

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ServerMetrics relayed = new ServerMetrics();
  private final Map<String, AtomicInteger> connections;
  private final Map<String, Counter> refused;
  private final FunctionCounter linesRelayed;
  private volatile MatchmakerActor.Stats matchmaker = new MatchmakerActor.Stats(0, 0, 0);
  private JvmGcMetrics gc;

  public ServerMeters() {
    Map<String, AtomicInteger> open = new HashMap<>();
    for (String transport : TRANSPORTS) {
      AtomicInteger count = new AtomicInteger();
      Gauge.builder("mechat.connections", count, AtomicInteger::get)
          .tag("transport", transport)
          .description("open connections, by transport")
          .register(registry);
      open.put(transport, count);
    }
    connections = Map.copyOf(open);
    Gauge.builder("mechat.named.clients", () -> matchmaker.registered())
        .description("clients with an accepted username")
        .register(registry);
    Gauge.builder("mechat.waiting.clients", () -> matchmaker.waiting())
        .description("clients waiting for a partner")
        .register(registry);
    Gauge.builder("mechat.conversations", () -> matchmaker.conversations())
        .description("pairs chatting")
        .register(registry);
    linesRelayed =
        FunctionCounter.builder("mechat.lines.relayed", relayed, ServerMetrics::linesRelayed)
            .description("chat lines delivered to a partner")
            .register(registry);
    Map<String, Counter> counters = new HashMap<>();
    for (String reason : REASONS) {
      counters.put(
          reason,
          Counter.builder("mechat.refused.connections")
              .tag("reason", reason)
              .description("connections refused, by reason")
              .register(registry));
    }
    refused = Map.copyOf(counters);
  }

  /** The counter the connection actors add relayed lines to. */
  public ServerMetrics relayCounter() {
    return relayed;
  }

  void opened(String transport) {
    connections.get(transport).incrementAndGet();
  }

  void closed(String transport) {
    connections.get(transport).decrementAndGet();
  }

  /** A connection refused for {@code reason} ({@link #SERVER_FULL}, …). */
  public void refused(String reason) {
    refused.get(reason).increment();
  }

  /** The matchmaker's latest counts. */
  void matchmaker(MatchmakerActor.Stats stats) {
    matchmaker = stats;
  }

  public int connections() {
    return connections.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  public int connections(String transport) {
    return connections.get(transport).get();
  }

  public MatchmakerActor.Stats matchmaker() {
    return matchmaker;
  }

  public long linesRelayed() {
    return (long) linesRelayed.count();
  }

  public long refusals(String reason) {
    return (long) refused.get(reason).count();
  }

  /** Adds the JVM's meters and those of Pekko's default dispatcher (its fork-join pool). */
  void bindJvmAndDispatcher(ActorSystem<?> system) {
    new JvmMemoryMetrics().bindTo(registry);
    gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    defaultDispatcherPool(system)
        .ifPresent(
            pool ->
                new ExecutorServiceMetrics(pool, "pekko-default-dispatcher", Tags.empty())
                    .bindTo(registry));
  }

  /**
   * The default dispatcher's ForkJoinPool. {@code Dispatcher.executorService()} is internal to
   * Pekko (public in the bytecode); if a version changes it, the dispatcher's meters are simply
   * missing.
   */
  private static Optional<ExecutorService> defaultDispatcherPool(ActorSystem<?> system) {
    try {
      MessageDispatcher dispatcher =
          system.classicSystem().dispatchers().lookup("pekko.actor.default-dispatcher");
      if (dispatcher instanceof Dispatcher d
          && d.executorService().executor() instanceof ForkJoinPool pool) {
        return Optional.of(pool);
      }
    } catch (RuntimeException | LinkageError e) {
      // not there in this version: no dispatcher meters
    }
    return Optional.empty();
  }

  /** The Prometheus text exposition format of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    if (gc != null) gc.close();
    registry.close();
  }
}
