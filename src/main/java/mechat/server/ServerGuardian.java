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
 * The root actor: starts the matchmaker, gives every accepted client (TCP, TLS or WebSocket) its
 * {@link ConnectionActor} (or {@code server full} over the limit, §7, and {@code too many
 * connections} over the per-address limit, §9), keeps the {@link ServerMeters} of connections and
 * refusals, logs the operator's stats line from them, and on shutdown tells every connection to say
 * goodbye and reports when the last one has closed.
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
      context -> context.spawn(MatchmakerActor.create(), "matchmaker", MatchmakerActor.MAILBOX);

  /** A named logger: getContext().getLog() may take its name from whatever class calls it first. */
  private static final Logger LOG = LoggerFactory.getLogger(ServerGuardian.class);

  private final ServerSettings settings;
  private final ServerMeters meters;
  private final ServerMetrics metrics;
  private final NodeStatus status;
  private final ActorRef<MatchmakerActor.Command> matchmaker;

  /** Every live connection, with the IP address it came from and its transport. */
  private final Map<ActorRef<ConnectionActor.Command>, Slot> connections = new HashMap<>();

  private final Map<String, Integer> connectionsPerIp = new HashMap<>();
  private final List<ActorRef<Done>> drainWaiters = new ArrayList<>();
  private boolean draining;

  // At the last stats line
  private long lastStatsNanos = System.nanoTime();
  private long lastLinesRelayed;
  private long lastRefusedFull;
  private long lastRefusedPerIp;

  private record Slot(String ip, String transport) {}

  public static Behavior<Command> create(ServerSettings settings) {
    return create(settings, new ServerMeters(), NodeStatus.singleNode(), LOCAL_MATCHMAKER);
  }

  /**
   * With the meters that {@code /metrics} shows, the node's status (for the stats line) and where
   * its matchmaker comes from.
   */
  public static Behavior<Command> create(
      ServerSettings settings,
      ServerMeters meters,
      NodeStatus status,
      MatchmakerStarter matchmaker) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new ServerGuardian(ctx, timers, settings, meters, status, matchmaker)));
  }

  private ServerGuardian(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      ServerSettings settings,
      ServerMeters meters,
      NodeStatus status,
      MatchmakerStarter matchmaker) {
    super(context);
    this.settings = settings;
    this.meters = meters;
    this.metrics = meters.relayCounter();
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
      meters.refused(ServerMeters.SHUTTING_DOWN);
      client.refuse(Notices.SERVER_SHUTTING_DOWN);
    } else if (connections.size() >= settings.maxConnections()) {
      // per connection at DEBUG only: a flood would drown the log; the stats line counts them
      LOG.debug("refused {}: server full", address);
      meters.refused(ServerMeters.SERVER_FULL);
      client.refuse(Notices.SERVER_FULL);
    } else if (settings.maxConnectionsPerIp() > 0 && fromIp >= settings.maxConnectionsPerIp()) {
      LOG.debug("refused {}: {} connections from {}", address, fromIp, ip);
      meters.refused(ServerMeters.TOO_MANY_CONNECTIONS);
      client.refuse(Notices.TOO_MANY_CONNECTIONS);
    } else {
      ActorRef<ConnectionActor.Command> connection =
          getContext()
              .spawnAnonymous(
                  ConnectionActor.create(
                      settings.connection(), matchmaker, address, metrics, client::connect));
      getContext().watchWith(connection, new ConnectionStopped(connection));
      connections.put(connection, new Slot(ip, client.transport()));
      connectionsPerIp.put(ip, fromIp + 1);
      meters.opened(client.transport());
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
    Slot slot = connections.remove(stopped.connection());
    if (slot != null) {
      connectionsPerIp.computeIfPresent(slot.ip(), (k, n) -> n > 1 ? n - 1 : null);
      meters.closed(slot.transport());
    }
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

  /**
   * One INFO line for the operator, read from the meters that {@code /metrics} shows; rates and
   * refusals are over the time since the previous line.
   */
  private Behavior<Command> onStatsReady(StatsReady ready) {
    meters.matchmaker(ready.stats());
    long now = System.nanoTime();
    long lines = meters.linesRelayed();
    long refusedFull = meters.refusals(ServerMeters.SERVER_FULL);
    long refusedPerIp = meters.refusals(ServerMeters.TOO_MANY_CONNECTIONS);
    double seconds = Math.max(1e-9, (now - lastStatsNanos) / 1e9);
    MatchmakerActor.Stats s = meters.matchmaker();
    LOG.info(
        "stats: {} connections ({} named), {} waiting, {} conversations, {} lines/s relayed"
            + " ({} in all), refused {} (server full) and {} (too many from one address){}",
        meters.connections(),
        s.registered(),
        s.waiting(),
        s.conversations(),
        Math.round((lines - lastLinesRelayed) / seconds),
        lines,
        refusedFull - lastRefusedFull,
        refusedPerIp - lastRefusedPerIp,
        status.statsSuffix());
    lastStatsNanos = now;
    lastLinesRelayed = lines;
    lastRefusedFull = refusedFull;
    lastRefusedPerIp = refusedPerIp;
    return this;
  }
}
