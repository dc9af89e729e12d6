package mechat.server;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import mechat.protocol.Username;

/**
 * The singleton that owns the username registry (case-insensitive, released when a client leaves),
 * the FIFO waiting queue and the /next no-rematch rule (protocol §3, §4). A match spawns a
 * {@link ConversationActor}, which greets both sides; a queued client is told {@code Waiting}.
 */
public final class MatchmakerActor extends AbstractBehavior<MatchmakerActor.Command> {

  public sealed interface Command extends CborSerializable {}

  /** Claim a (valid, trimmed) name and join the queue: replies NameTaken, Waiting or Matched. */
  public record Register(String name, String address, ActorRef<ConnectionActor.Command> replyTo)
      implements Command {}

  /** The client is leaving: release its name and take it out of the queue. */
  public record Unregister(ActorRef<ConnectionActor.Command> connection) implements Command {}

  /**
   * A conversation is over: the stayer rejoins the queue first, then the leaver if it left by
   * /next (and the two are kept apart until one of them meets someone else).
   */
  public record ConversationEnded(
      ActorRef<ConnectionActor.Command> stayer,
      ActorRef<ConnectionActor.Command> leaver,
      boolean byNext)
      implements Command {}

  /** For operators and tests: how many names, waiting clients and conversations there are. */
  public record GetStats(ActorRef<Stats> replyTo) implements Command {}

  public record Stats(int registered, int waiting, int conversations) implements CborSerializable {}

  private record ConnectionTerminated(ActorRef<ConnectionActor.Command> connection)
      implements Command {}

  private record ConversationTerminated() implements Command {}

  private record Client(String name, String address) {}

  private final Map<String, ActorRef<ConnectionActor.Command>> byName = new HashMap<>();
  private final Map<ActorRef<ConnectionActor.Command>, Client> clients = new HashMap<>();
  private final LinkedHashSet<ActorRef<ConnectionActor.Command>> queue = new LinkedHashSet<>();
  /** Pairs parted by /next, both ways: not matched again until one of them meets someone else. */
  private final Map<ActorRef<ConnectionActor.Command>, ActorRef<ConnectionActor.Command>> apart =
      new HashMap<>();
  private int conversations;

  public static Behavior<Command> create() {
    return Behaviors.setup(MatchmakerActor::new);
  }

  private MatchmakerActor(ActorContext<Command> context) {
    super(context);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Register.class, this::onRegister)
        .onMessage(Unregister.class, m -> onGone(m.connection()))
        .onMessage(ConnectionTerminated.class, m -> onGone(m.connection()))
        .onMessage(ConversationEnded.class, this::onConversationEnded)
        .onMessage(ConversationTerminated.class, m -> onConversationTerminated())
        .onMessage(GetStats.class, this::onGetStats)
        .build();
  }

  private Behavior<Command> onRegister(Register r) {
    String key = Username.key(r.name());
    if (byName.containsKey(key) || clients.containsKey(r.replyTo())) {
      r.replyTo().tell(ConnectionActor.NameTaken.INSTANCE);
      return this;
    }
    byName.put(key, r.replyTo());
    clients.put(r.replyTo(), new Client(r.name(), r.address()));
    getContext().watchWith(r.replyTo(), new ConnectionTerminated(r.replyTo()));
    enqueue(r.replyTo());
    return this;
  }

  private Behavior<Command> onGone(ActorRef<ConnectionActor.Command> connection) {
    Client client = clients.remove(connection);
    if (client != null) {
      byName.remove(Username.key(client.name()));
      getContext().unwatch(connection);
    }
    queue.remove(connection);
    forgetApart(connection);
    return this;
  }

  private Behavior<Command> onConversationEnded(ConversationEnded e) {
    boolean stayerHere = clients.containsKey(e.stayer());
    boolean leaverHere = e.byNext() && clients.containsKey(e.leaver());
    if (stayerHere && leaverHere) {
      apart.put(e.stayer(), e.leaver());
      apart.put(e.leaver(), e.stayer());
    }
    if (stayerHere) enqueue(e.stayer());
    if (leaverHere) enqueue(e.leaver());
    return this;
  }

  private Behavior<Command> onConversationTerminated() {
    conversations--;
    return this;
  }

  private Behavior<Command> onGetStats(GetStats g) {
    g.replyTo().tell(new Stats(clients.size(), queue.size(), conversations));
    return this;
  }

  /** Pairs the client with whoever has waited longest (and may meet it), or queues it. */
  private void enqueue(ActorRef<ConnectionActor.Command> client) {
    if (queue.contains(client)) return;
    Optional<ActorRef<ConnectionActor.Command>> partner = longestWaitingFor(client);
    if (partner.isPresent()) {
      queue.remove(partner.get());
      match(partner.get(), client);
    } else {
      queue.add(client);
      client.tell(ConnectionActor.Waiting.INSTANCE);
    }
  }

  private Optional<ActorRef<ConnectionActor.Command>> longestWaitingFor(
      ActorRef<ConnectionActor.Command> client) {
    ActorRef<ConnectionActor.Command> avoid = apart.get(client);
    for (Iterator<ActorRef<ConnectionActor.Command>> it = queue.iterator(); it.hasNext(); ) {
      ActorRef<ConnectionActor.Command> candidate = it.next();
      if (!candidate.equals(avoid)) return Optional.of(candidate);
    }
    return Optional.empty();
  }

  private void match(ActorRef<ConnectionActor.Command> a, ActorRef<ConnectionActor.Command> b) {
    forgetApart(a);
    forgetApart(b);
    Client ca = clients.get(a);
    Client cb = clients.get(b);
    ActorRef<ConversationActor.Command> conversation =
        getContext()
            .spawnAnonymous(ConversationActor.create(a, ca.name(), b, cb.name(), getContext().getSelf()));
    getContext().watchWith(conversation, new ConversationTerminated());
    conversations++;
    getContext()
        .getLog()
        .info("matched [{}] ({}) with [{}] ({})", ca.name(), ca.address(), cb.name(), cb.address());
  }

  private void forgetApart(ActorRef<ConnectionActor.Command> client) {
    ActorRef<ConnectionActor.Command> other = apart.remove(client);
    if (other != null && client.equals(apart.get(other))) apart.remove(other);
  }
}
