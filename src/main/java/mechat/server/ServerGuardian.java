package mechat.server;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import mechat.protocol.Notices;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * The root actor: starts the matchmaker, gives every accepted TCP connection its
 * {@link ConnectionActor} (or {@code server full} over the limit, §7), and on shutdown tells every
 * connection to say goodbye and reports when the last one has closed.
 */
public final class ServerGuardian extends AbstractBehavior<ServerGuardian.Command> {

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** A new TCP connection from the listener. */
  public record Accepted(Tcp.IncomingConnection connection) implements Command {}

  /** Say {@code server shutting down} to everyone; reply when every connection has closed. */
  public record Drain(ActorRef<Done> replyTo) implements Command {}

  public record GetMatchmaker(ActorRef<ActorRef<MatchmakerActor.Command>> replyTo)
      implements Command {}

  public record GetConnectionCount(ActorRef<Integer> replyTo) implements Command {}

  private record ConnectionStopped(ActorRef<ConnectionActor.Command> connection)
      implements Command {}

  private static final ByteString SERVER_FULL = ByteString.fromString(Notices.SERVER_FULL + "\n");
  private static final ByteString SHUTTING_DOWN =
      ByteString.fromString(Notices.SERVER_SHUTTING_DOWN + "\n");

  private final ServerSettings settings;
  private final ActorRef<MatchmakerActor.Command> matchmaker;
  private final Set<ActorRef<ConnectionActor.Command>> connections = new HashSet<>();
  private final List<ActorRef<Done>> drainWaiters = new ArrayList<>();
  private boolean draining;

  public static Behavior<Command> create(ServerSettings settings) {
    return Behaviors.setup(ctx -> new ServerGuardian(ctx, settings));
  }

  private ServerGuardian(ActorContext<Command> context, ServerSettings settings) {
    super(context);
    this.settings = settings;
    this.matchmaker = context.spawn(MatchmakerActor.create(), "matchmaker");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Accepted.class, this::onAccepted)
        .onMessage(Drain.class, this::onDrain)
        .onMessage(ConnectionStopped.class, this::onConnectionStopped)
        .onMessage(GetMatchmaker.class, this::onGetMatchmaker)
        .onMessage(GetConnectionCount.class, this::onGetConnectionCount)
        .build();
  }

  private Behavior<Command> onAccepted(Accepted accepted) {
    Tcp.IncomingConnection tcp = accepted.connection();
    String address = format(tcp.remoteAddress());
    if (draining) {
      answerAndClose(tcp, SHUTTING_DOWN);
    } else if (connections.size() >= settings.maxConnections()) {
      getContext().getLog().info("refused {}: server full ({} connections)", address, connections.size());
      answerAndClose(tcp, SERVER_FULL);
    } else {
      ActorRef<ConnectionActor.Command> connection =
          getContext()
              .spawnAnonymous(
                  ConnectionActor.create(
                      settings, matchmaker, address, flow -> tcp.handleWith(flow, getContext().getSystem())));
      getContext().watchWith(connection, new ConnectionStopped(connection));
      connections.add(connection);
    }
    return this;
  }

  /** Writes one notice and closes; whatever the client sends is ignored. */
  private void answerAndClose(Tcp.IncomingConnection tcp, ByteString notice) {
    tcp.handleWith(
        Flow.fromSinkAndSource(Sink.ignore(), Source.single(notice)), getContext().getSystem());
  }

  private Behavior<Command> onDrain(Drain drain) {
    draining = true;
    drainWaiters.add(drain.replyTo());
    connections.forEach(c -> c.tell(ConnectionActor.ServerShuttingDown.INSTANCE));
    replyIfDrained();
    return this;
  }

  private Behavior<Command> onConnectionStopped(ConnectionStopped stopped) {
    connections.remove(stopped.connection());
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

  static String format(InetSocketAddress address) {
    return address.getAddress().getHostAddress() + ":" + address.getPort();
  }
}
