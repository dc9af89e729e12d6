package mechat.chat;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import mechat.protocol.Username;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.dispatch.ControlMessage;

/**
 * The singleton that owns the username registry (case-insensitive, released when a client leaves),
 * the FIFO waiting queue and the /next no-rematch rule (protocol §3, §4). A match spawns a {@link
 * ConversationActor}, which greets both sides; a queued client is told {@code Waiting}.
 */
public final class MatchmakerActor extends AbstractBehavior<MatchmakerActor.Command> {

  public sealed interface Command extends CborSerializable {}

  /**
   * Claim a (valid, trimmed) name and join the queue: {@code replyTo} is told NameTaken or Waiting,
   * or a new conversation tells {@code connection} Matched. Both refs are the same connection
   * actor, narrowed to what each of its peers may send it.
   */
  public record Register(
      String name,
      String address,
      ActorRef<ConnectionActor.MatchmakerReply> replyTo,
      ActorRef<ConnectionActor.ConversationEvent> connection)
      implements Command {}

  /**
   * The client is leaving: release its name and take it out of the queue. A control message: in the
   * {@link #MAILBOX} it overtakes the requests queued before it, so that a client whose close the
   * server has read is not paired again meanwhile (thousands may close at once).
   */
  public record Unregister(ActorRef<ConnectionActor.ConversationEvent> connection)
      implements Command, ControlMessage {}

  /**
   * The client quits: released as by {@link Unregister}, then told {@link
   * ConnectionActor.Released}, so that its {@code bye} comes when nobody can be matched with it or
   * refused its name any more (§3.6, §4.5), on every node of a cluster too.
   */
  public record Quit(
      ActorRef<ConnectionActor.ConversationEvent> connection,
      ActorRef<ConnectionActor.MatchmakerReply> replyTo)
      implements Command, ControlMessage {}

  /**
   * A conversation is over: the stayer rejoins the queue first, then the leaver if it left by /next
   * (and the two are kept apart until one of them meets someone else).
   */
  public record ConversationEnded(
      ActorRef<ConnectionActor.ConversationEvent> stayer,
      ActorRef<ConnectionActor.ConversationEvent> leaver,
      boolean byNext)
      implements Command {}

  /** For operators and tests: how many names, waiting clients and conversations there are. */
  public record GetStats(ActorRef<Stats> replyTo) implements Command {}

  public record Stats(int registered, int waiting, int conversations) implements CborSerializable {}

  private record ConnectionTerminated(ActorRef<ConnectionActor.ConversationEvent> connection)
      implements Command {}

  private record ConversationTerminated() implements Command {}

  private record Client(
      String name, String address, ActorRef<ConnectionActor.MatchmakerReply> replyTo) {}

  private final Map<String, ActorRef<ConnectionActor.ConversationEvent>> byName = new HashMap<>();
  private final Map<ActorRef<ConnectionActor.ConversationEvent>, Client> clients = new HashMap<>();
  private final LinkedHashSet<ActorRef<ConnectionActor.ConversationEvent>> queue =
      new LinkedHashSet<>();

  /** Pairs parted by /next, both ways: not matched again until one of them meets someone else. */
  private final Map<
          ActorRef<ConnectionActor.ConversationEvent>, ActorRef<ConnectionActor.ConversationEvent>>
      apart = new HashMap<>();

  private int conversations;

  /** The matchmaker's mailbox: {@link Unregister} goes first. */
  public static final MailboxSelector MAILBOX =
      MailboxSelector.fromConfig("mechat.matchmaker-mailbox");

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
        .onMessage(Quit.class, this::onQuit)
        .onMessage(ConnectionTerminated.class, m -> onGone(m.connection()))
        .onMessage(ConversationEnded.class, this::onConversationEnded)
        .onMessage(ConversationTerminated.class, m -> onConversationTerminated())
        .onMessage(GetStats.class, this::onGetStats)
        .build();
  }

  private Behavior<Command> onQuit(Quit q) {
    onGone(q.connection());
    q.replyTo().tell(ConnectionActor.Released.INSTANCE);
    return this;
  }

  private Behavior<Command> onRegister(Register r) {
    String key = Username.key(r.name());
    if (byName.containsKey(key) || clients.containsKey(r.connection())) {
      r.replyTo().tell(ConnectionActor.NameTaken.INSTANCE);
      return this;
    }
    byName.put(key, r.connection());
    clients.put(r.connection(), new Client(r.name(), r.address(), r.replyTo()));
    getContext().watchWith(r.connection(), new ConnectionTerminated(r.connection()));
    enqueue(r.connection());
    return this;
  }

  private Behavior<Command> onGone(ActorRef<ConnectionActor.ConversationEvent> connection) {
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
  private void enqueue(ActorRef<ConnectionActor.ConversationEvent> client) {
    if (queue.contains(client)) return;
    Optional<ActorRef<ConnectionActor.ConversationEvent>> partner = longestWaitingFor(client);
    if (partner.isPresent()) {
      queue.remove(partner.get());
      match(partner.get(), client);
    } else {
      queue.add(client);
      clients.get(client).replyTo().tell(ConnectionActor.Waiting.INSTANCE);
    }
  }

  private Optional<ActorRef<ConnectionActor.ConversationEvent>> longestWaitingFor(
      ActorRef<ConnectionActor.ConversationEvent> client) {
    ActorRef<ConnectionActor.ConversationEvent> avoid = apart.get(client);
    for (Iterator<ActorRef<ConnectionActor.ConversationEvent>> it = queue.iterator();
        it.hasNext(); ) {
      ActorRef<ConnectionActor.ConversationEvent> candidate = it.next();
      if (!candidate.equals(avoid)) return Optional.of(candidate);
    }
    return Optional.empty();
  }

  private void match(
      ActorRef<ConnectionActor.ConversationEvent> a,
      ActorRef<ConnectionActor.ConversationEvent> b) {
    forgetApart(a);
    forgetApart(b);
    Client ca = clients.get(a);
    Client cb = clients.get(b);
    ActorRef<ConversationActor.Command> conversation =
        getContext()
            .spawnAnonymous(
                ConversationActor.create(
                    a, ca.name(), b, cb.name(), getContext().getSelf().narrow()));
    getContext().watchWith(conversation, new ConversationTerminated());
    conversations++;
    getContext()
        .getLog()
        .info("matched [{}] ({}) with [{}] ({})", ca.name(), ca.address(), cb.name(), cb.address());
  }

  private void forgetApart(ActorRef<ConnectionActor.ConversationEvent> client) {
    ActorRef<ConnectionActor.ConversationEvent> other = apart.remove(client);
    if (other != null && client.equals(apart.get(other))) apart.remove(other);
  }
}
