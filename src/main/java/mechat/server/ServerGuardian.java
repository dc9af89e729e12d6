package mechat.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mechat.chat.ConnectionActor;
import mechat.chat.MatchmakerActor;
import mechat.chat.ServerMetrics;
import mechat.protocol.Notices;
import mechat.transport.IncomingClient;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root actor: starts the matchmaker, gives every accepted TCP connection its {@link
 * ConnectionActor} (or {@code server full} over the limit, §7, and {@code too many connections}
 * over the per-address limit, §9), logs the operator's stats line, and on shutdown tells every
 * connection to say goodbye and reports when the last one has closed.
 */
public final class ServerGuardian extends AbstractBehavior<ServerGuardian.Command> {

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** A new client from one of the listeners. */
  public record Accepted(IncomingClient client) implements Command {}

  /** Say {@code server shutting down} to everyone; reply when every connection has closed. */
  public record Drain(ActorRef<Done> replyTo) implements Command {}

  public record GetMatchmaker(ActorRef<ActorRef<MatchmakerActor.Command>> replyTo)
      implements Command {}

  public record GetConnectionCount(ActorRef<Integer> replyTo) implements Command {}

  private record ConnectionStopped(ActorRef<ConnectionActor.Command> connection)
      implements Command {}

  private enum StatsTick implements Command {
    INSTANCE
  }

  private record StatsReady(MatchmakerActor.Stats stats) implements Command {}

  /**
   * Starts the matchmaker that connections talk to: a local {@link MatchmakerActor} on a single
   * server; in a cluster, this node's registry (see {@code mechat.cluster}).
   */
  @FunctionalInterface
  public interface MatchmakerStarter {
    ActorRef<MatchmakerActor.Command> start(ActorContext<?> context);
  }

  public static final MatchmakerStarter LOCAL_MATCHMAKER =
      context -> context.spawn(MatchmakerActor.create(), "matchmaker");

  /** A named logger: getContext().getLog() may take its name from whatever class calls it first. */
  private static final Logger LOG = LoggerFactory.getLogger(ServerGuardian.class);

  private final ServerSettings settings;
  private final NodeStatus status;
  private final ServerMetrics metrics = new ServerMetrics();
  private final ActorRef<MatchmakerActor.Command> matchmaker;

  /** Every live connection, with the IP address it came from. */
  private final Map<ActorRef<ConnectionActor.Command>, String> connections = new HashMap<>();

  private final Map<String, Integer> connectionsPerIp = new HashMap<>();
  private final List<ActorRef<Done>> drainWaiters = new ArrayList<>();
  private boolean draining;

  // Since the last stats line
  private long lastStatsNanos = System.nanoTime();
  private long lastLinesRelayed;
  private int refusedFull;
  private int refusedPerIp;

  public static Behavior<Command> create(ServerSettings settings) {
    return create(settings, NodeStatus.singleNode(), LOCAL_MATCHMAKER);
  }

  /** With the node's status (for the stats line) and where its matchmaker comes from. */
  public static Behavior<Command> create(
      ServerSettings settings, NodeStatus status, MatchmakerStarter matchmaker) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new ServerGuardian(ctx, timers, settings, status, matchmaker)));
  }

  private ServerGuardian(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      ServerSettings settings,
      NodeStatus status,
      MatchmakerStarter matchmaker) {
    super(context);
    this.settings = settings;
    this.status = status;
    this.matchmaker = matchmaker.start(context);
    if (!settings.statsInterval().isZero()) {
      timers.startTimerWithFixedDelay(StatsTick.INSTANCE, settings.statsInterval());
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Accepted.class, this::onAccepted)
        .onMessage(Drain.class, this::onDrain)
        .onMessage(ConnectionStopped.class, this::onConnectionStopped)
        .onMessage(GetMatchmaker.class, this::onGetMatchmaker)
        .onMessage(GetConnectionCount.class, this::onGetConnectionCount)
        .onMessageEquals(StatsTick.INSTANCE, this::onStatsTick)
        .onMessage(StatsReady.class, this::onStatsReady)
        .build();
  }

  private Behavior<Command> onAccepted(Accepted accepted) {
    IncomingClient client = accepted.client();
    String address = client.address();
    String ip = client.remoteAddress().getAddress().getHostAddress();
    int fromIp = connectionsPerIp.getOrDefault(ip, 0);
    if (draining) {
      client.refuse(Notices.SERVER_SHUTTING_DOWN);
    } else if (connections.size() >= settings.maxConnections()) {
      // per connection at DEBUG only: a flood would drown the log; the stats line counts them
      LOG.debug("refused {}: server full", address);
      refusedFull++;
      client.refuse(Notices.SERVER_FULL);
    } else if (settings.maxConnectionsPerIp() > 0 && fromIp >= settings.maxConnectionsPerIp()) {
      LOG.debug("refused {}: {} connections from {}", address, fromIp, ip);
      refusedPerIp++;
      client.refuse(Notices.TOO_MANY_CONNECTIONS);
    } else {
      ActorRef<ConnectionActor.Command> connection =
          getContext()
              .spawnAnonymous(
                  ConnectionActor.create(
                      settings.connection(), matchmaker, address, metrics, client::connect));
      getContext().watchWith(connection, new ConnectionStopped(connection));
      connections.put(connection, ip);
      connectionsPerIp.put(ip, fromIp + 1);
    }
    return this;
  }

  private Behavior<Command> onDrain(Drain drain) {
    draining = true;
    drainWaiters.add(drain.replyTo());
    connections.keySet().forEach(c -> c.tell(ConnectionActor.ServerShuttingDown.INSTANCE));
    replyIfDrained();
    return this;
  }

  private Behavior<Command> onConnectionStopped(ConnectionStopped stopped) {
    String ip = connections.remove(stopped.connection());
    if (ip != null) connectionsPerIp.computeIfPresent(ip, (k, n) -> n > 1 ? n - 1 : null);
    replyIfDrained();
    return this;
  }

  private void replyIfDrained() {
    if (!draining || !connections.isEmpty()) return;
    drainWaiters.forEach(w -> w.tell(Done.getInstance()));
    drainWaiters.clear();
  }

  private Behavior<Command> onGetMatchmaker(GetMatchmaker g) {
    g.replyTo().tell(matchmaker);
    return this;
  }

  private Behavior<Command> onGetConnectionCount(GetConnectionCount g) {
    g.replyTo().tell(connections.size());
    return this;
  }

  private Behavior<Command> onStatsTick() {
    getContext()
        .ask(
            MatchmakerActor.Stats.class,
            matchmaker,
            Duration.ofSeconds(5),
            MatchmakerActor.GetStats::new,
            (stats, failure) -> stats == null ? null : new StatsReady(stats));
    return this;
  }

  /** One INFO line for the operator; rates are over the time since the previous line. */
  private Behavior<Command> onStatsReady(StatsReady ready) {
    long now = System.nanoTime();
    long lines = metrics.linesRelayed();
    double seconds = Math.max(1e-9, (now - lastStatsNanos) / 1e9);
    MatchmakerActor.Stats s = ready.stats();
    LOG.info(
        "stats: {} connections ({} named), {} waiting, {} conversations, {} lines/s relayed"
            + " ({} in all), refused {} (server full) and {} (too many from one address){}",
        connections.size(),
        s.registered(),
        s.waiting(),
        s.conversations(),
        Math.round((lines - lastLinesRelayed) / seconds),
        lines,
        refusedFull,
        refusedPerIp,
        status.statsSuffix());
    lastStatsNanos = now;
    lastLinesRelayed = lines;
    refusedFull = 0;
    refusedPerIp = 0;
    return this;
  }
}
