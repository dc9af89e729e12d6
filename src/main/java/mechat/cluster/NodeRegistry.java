package mechat.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mechat.chat.CborSerializable;
import mechat.chat.ConnectionActor;
import mechat.chat.ConversationActor;
import mechat.chat.MatchmakerActor;
import mechat.protocol.Username;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * One per node (§11): the source of truth for this node's clients, and their matchmaker as they see
 * it. Connections and conversations talk to it exactly as to a single server's {@link
 * MatchmakerActor}; it turns that into acked, retried requests to the {@link ClusterMatchmaker}
 * singleton (through its proxy, so they stay in order), applies the singleton's answers (names
 * confirmed or taken, queued, paired) and tells its clients. It hosts the conversations the
 * singleton asks it to start, and gives a (re)starting singleton its snapshot.
 */
public final class NodeRegistry extends AbstractBehavior<NodeRegistry.Command> {
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "mechat-registry");

  public sealed interface Command {}

  /** From the matchmaker of {@code epoch}: what an older incarnation still sends is ignored. */
  public sealed interface FromMatchmaker extends Command, CborSerializable {
    String epoch();
  }

  /** A (re)started matchmaker asks for this registry's snapshot. */
  public record Resync(String epoch, ActorRef<ClusterMatchmaker.Command> matchmaker)
      implements FromMatchmaker {}

  /** The snapshot {@code snapshotId} is merged: this registry is registered with the matchmaker. */
  public record Registered(
      String epoch, ActorRef<ClusterMatchmaker.Command> matchmaker, long snapshotId)
      implements FromMatchmaker {}

  public record Acked(String epoch, long id) implements FromMatchmaker {}

  public record Confirmed(
      String epoch, ActorRef<ConnectionActor.ConversationEvent> connection, String name)
      implements FromMatchmaker {}

  public record NameTaken(
      String epoch, ActorRef<ConnectionActor.ConversationEvent> connection, String name)
      implements FromMatchmaker {}

  /** The client waits at {@code seq}, kept apart from {@code apart} (or null) by /next. */
  public record Queued(
      String epoch,
      ActorRef<ConnectionActor.ConversationEvent> connection,
      long seq,
      ActorRef<ConnectionActor.ConversationEvent> apart)
      implements FromMatchmaker {}

  public record Paired(
      String epoch, ActorRef<ConnectionActor.ConversationEvent> connection, String pairId)
      implements FromMatchmaker {}

  /** Host the conversation of {@code a} and {@code b} here; it greets both. */
  public record StartConversation(
      String epoch,
      String pairId,
      ActorRef<ConnectionActor.ConversationEvent> a,
      String nameA,
      ActorRef<ConnectionActor.ConversationEvent> b,
      String nameB)
      implements FromMatchmaker {}

  private sealed interface Internal extends Command, NoSerializationVerificationNeeded {}

  /** What a local connection or conversation sent, as to a single server's matchmaker. */
  private record FromLocal(MatchmakerActor.Command message) implements Internal {}

  private enum Tick implements Internal {
    INSTANCE
  }

  private record ConnectionGone(ActorRef<ConnectionActor.ConversationEvent> connection)
      implements Internal {}

  private record MatchmakerGone(ActorRef<ClusterMatchmaker.Command> matchmaker)
      implements Internal {}

  private record ConversationStopped(String pairId) implements Internal {}

  /** The node stops: its clients give up names and places before their partners are requeued. */
  record Drain(ActorRef<Done> replyTo) implements Internal {}

  private record Hosted(RegistrySnapshot.PairState pair, boolean ending) {}

  private final TimerScheduler<Command> timers;
  private final ActorRef<ClusterMatchmaker.Command> proxy;
  private final ActorRef<MatchmakerActor.ConversationEnded> forConversations;
  private final Map<ActorRef<ConnectionActor.ConversationEvent>, RegistryClient> clients =
      new HashMap<>();
  private final Map<String, ActorRef<ConnectionActor.ConversationEvent>> names = new HashMap<>();
  private final Map<String, Hosted> hosted = new HashMap<>();
  private final Map<ActorRef<ConnectionActor.ConversationEvent>, String> hostedSides =
      new HashMap<>();
  private final PendingRequests pending = new PendingRequests();
  private final Quitters quitters = new Quitters();
  private int liveConversations;

  /** The matchmaker incarnation this registry follows (null: none yet), and whether it has us. */
  private String epoch;

  private boolean registered;
  private ActorRef<ClusterMatchmaker.Command> matchmaker;
  private long snapshotId;
  private long snapshotSentNanos;

  /**
   * The registry, answering both its cluster protocol ({@link Command}) and, from local connections
   * and conversations, a single server's matchmaker's ({@link MatchmakerActor.Command}).
   */
  public static Behavior<Object> create(ActorRef<ClusterMatchmaker.Command> proxy) {
    Behavior<Command> registry =
        Behaviors.setup(
            ctx -> Behaviors.withTimers(timers -> new NodeRegistry(ctx, timers, proxy)));
    return Behaviors.transformMessages(
        Object.class,
        registry,
        pf -> pf.match(MatchmakerActor.Command.class, FromLocal::new).match(Command.class, c -> c));
  }

  private NodeRegistry(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      ActorRef<ClusterMatchmaker.Command> proxy) {
    super(context);
    this.timers = timers;
    this.proxy = proxy;
    this.forConversations = context.getSelf().unsafeUpcast();
    context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
    timers.startTimerWithFixedDelay(Tick.INSTANCE, PendingRequests.RETRY);
    sendSnapshot();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromLocal.class, this::onLocal)
        .onMessage(FromMatchmaker.class, this::onMatchmaker)
        .onMessage(ConnectionGone.class, g -> gone(g.connection()))
        .onMessage(MatchmakerGone.class, this::onMatchmakerGone)
        .onMessage(ConversationStopped.class, this::onConversationStopped)
        .onMessage(Drain.class, this::onDrain)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .build();
  }

  // ------------------------------------------------------------ from this node's actors

  private Behavior<Command> onLocal(FromLocal local) {
    MatchmakerActor.Command m = local.message();
    if (m instanceof MatchmakerActor.Register r) return onRegister(r);
    if (m instanceof MatchmakerActor.Unregister u) return gone(u.connection());
    if (m instanceof MatchmakerActor.Quit q) return onQuit(q);
    if (m instanceof MatchmakerActor.ConversationEnded e) return onConversationEnded(e);
    if (m instanceof MatchmakerActor.GetStats g) return onGetStats(g);
    return this;
  }

  private Behavior<Command> onRegister(MatchmakerActor.Register r) {
    String key = Username.key(r.name());
    if (clients.containsKey(r.connection()) || names.containsKey(key)) {
      r.replyTo().tell(ConnectionActor.NameTaken.INSTANCE);
      return this;
    }
    clients.put(r.connection(), new RegistryClient(r.name(), r.address(), r.replyTo()));
    names.put(key, r.connection());
    getContext().watchWith(r.connection(), new ConnectionGone(r.connection()));
    request(
        new ClusterMatchmaker.Claim(
            self(), pending.nextId(), r.connection(), r.name(), r.address()));
    return this;
  }

  /** As gone, and the client hears once the matchmaker has acked the release of its name. */
  private Behavior<Command> onQuit(MatchmakerActor.Quit q) {
    boolean known = clients.containsKey(q.connection());
    gone(q.connection());
    if (known) quitters.await(pending.lastId(), q.replyTo(), System.nanoTime());
    else q.replyTo().tell(ConnectionActor.Released.INSTANCE);
    return this;
  }

  /** The client left (or its actor stopped): its claim no longer matters, its name is released. */
  private Behavior<Command> gone(ActorRef<ConnectionActor.ConversationEvent> connection) {
    RegistryClient c = clients.remove(connection);
    if (c == null) return this;
    names.remove(Username.key(c.name));
    getContext().unwatch(connection);
    pending.drop(
        r -> r instanceof ClusterMatchmaker.Claim claim && claim.connection().equals(connection));
    request(new ClusterMatchmaker.Release(self(), pending.nextId(), connection));
    return this;
  }

  private Behavior<Command> onConversationEnded(MatchmakerActor.ConversationEnded e) {
    String pairId = hostedSides.get(e.stayer());
    Hosted h = pairId == null ? null : hosted.get(pairId);
    if (h == null || !(h.pair().a().equals(e.leaver()) || h.pair().b().equals(e.leaver()))) {
      pairId = null;
    } else {
      hosted.put(pairId, new Hosted(h.pair(), true));
    }
    request(
        new ClusterMatchmaker.Ended(
            self(), pending.nextId(), pairId, e.stayer(), e.leaver(), e.byNext()));
    return this;
  }

  /** This node's share: its named clients, those waiting, the conversations it hosts. */
  private Behavior<Command> onGetStats(MatchmakerActor.GetStats g) {
    int named = 0;
    int waiting = 0;
    for (RegistryClient c : clients.values()) {
      if (!c.confirmed) continue;
      named++;
      if (c.seq >= 0 && c.pairId == null) waiting++;
    }
    g.replyTo().tell(new MatchmakerActor.Stats(named, waiting, liveConversations));
    return this;
  }

  // ------------------------------------------------------------ from the matchmaker

  private Behavior<Command> onMatchmaker(FromMatchmaker m) {
    if (epoch != null && m.epoch().compareTo(epoch) < 0) return this; // an older incarnation
    if (epoch == null || m.epoch().compareTo(epoch) > 0) {
      epoch = m.epoch(); // a newer matchmaker (a Resync, or news of one): it needs our snapshot
      registered = false;
      if (!(m instanceof Registered)) sendSnapshot();
    }
    if (m instanceof Registered r) {
      onRegistered(r);
    } else if (m instanceof Acked a) {
      onAcked(a);
    } else if (m instanceof Confirmed c) {
      RegistryClient client = clientNamed(c.connection(), c.name());
      if (client != null) client.confirmed = true;
    } else if (m instanceof NameTaken t) {
      onNameTaken(t);
    } else if (m instanceof Queued q) {
      onQueued(q);
    } else if (m instanceof Paired p) {
      RegistryClient client = clients.get(p.connection());
      if (client != null) client.pairId = p.pairId();
    } else if (m instanceof StartConversation s) {
      onStartConversation(s);
    }
    return this;
  }

  private void onRegistered(Registered r) {
    if (r.snapshotId() != snapshotId) return; // an older snapshot: the newest is on its way
    registered = true;
    if (!r.matchmaker().equals(matchmaker)) {
      if (matchmaker != null) getContext().unwatch(matchmaker);
      matchmaker = r.matchmaker();
      getContext().watchWith(matchmaker, new MatchmakerGone(matchmaker));
    }
  }

  private void onAcked(Acked a) {
    ClusterMatchmaker.Request done = pending.ack(a.id());
    quitters.acked(a.id());
    if (done instanceof ClusterMatchmaker.Ended e && e.pairId() != null) forgetHosted(e.pairId());
  }

  private void onNameTaken(NameTaken t) {
    RegistryClient c = clientNamed(t.connection(), t.name());
    if (c == null || c.confirmed) return;
    clients.remove(t.connection());
    names.remove(Username.key(c.name));
    getContext().unwatch(t.connection());
    c.replyTo.tell(ConnectionActor.NameTaken.INSTANCE);
  }

  private void onQueued(Queued q) {
    RegistryClient c = clients.get(q.connection());
    if (c == null) return;
    c.confirmed = true;
    c.seq = q.seq();
    c.pairId = null;
    c.apart = q.apart();
    c.replyTo.tell(ConnectionActor.Waiting.INSTANCE);
  }

  private void onStartConversation(StartConversation s) {
    if (hosted.containsKey(s.pairId()) || getContext().getChild(s.pairId()).isPresent()) return;
    ActorRef<ConversationActor.Command> conversation =
        getContext()
            .spawn(
                ConversationActor.create(s.a(), s.nameA(), s.b(), s.nameB(), forConversations),
                s.pairId());
    getContext().watchWith(conversation, new ConversationStopped(s.pairId()));
    liveConversations++;
    hosted.put(
        s.pairId(),
        new Hosted(
            new RegistrySnapshot.PairState(s.pairId(), s.a(), s.nameA(), s.b(), s.nameB()), false));
    hostedSides.put(s.a(), s.pairId());
    hostedSides.put(s.b(), s.pairId());
  }

  // ------------------------------------------------------------ own housekeeping

  private Behavior<Command> onMatchmakerGone(MatchmakerGone g) {
    if (g.matchmaker().equals(matchmaker)) {
      matchmaker = null;
      registered = false;
      sendSnapshot(); // through the proxy, to whichever matchmaker comes next
    }
    return this;
  }

  /** A conversation that stopped without an end of its own (both sides left the server). */
  private Behavior<Command> onConversationStopped(ConversationStopped s) {
    liveConversations--;
    Hosted h = hosted.get(s.pairId());
    if (h != null && !h.ending()) forgetHosted(s.pairId());
    return this;
  }

  private Behavior<Command> onDrain(Drain d) {
    List.copyOf(clients.keySet()).forEach(this::gone);
    d.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<Command> onTick() {
    long now = System.nanoTime();
    if (!registered && now - snapshotSentNanos >= PendingRequests.RETRY.toNanos()) sendSnapshot();
    pending.due(now).forEach(proxy::tell);
    quitters.expire(now);
    return this;
  }

  private void request(ClusterMatchmaker.Request r) {
    pending.add(r, System.nanoTime());
    proxy.tell(r);
  }

  /** The snapshot, in chunks, through the proxy (in order with our requests). */
  private void sendSnapshot() {
    snapshotId++;
    snapshotSentNanos = System.nanoTime();
    List<RegistrySnapshot.ClientState> states = new ArrayList<>();
    clients.forEach(
        (connection, c) -> {
          if (c.confirmed) {
            states.add(
                new RegistrySnapshot.ClientState(
                    connection, c.name, c.address, c.seq, c.pairId, c.apart));
          }
        });
    List<RegistrySnapshot.PairState> pairs =
        hosted.values().stream().filter(h -> !h.ending()).map(Hosted::pair).toList();
    List<RegistrySnapshot.Part> parts = RegistrySnapshot.split(states, pairs);
    for (int i = 0; i < parts.size(); i++) {
      proxy.tell(
          new ClusterMatchmaker.SnapshotChunk(
              self(), snapshotId, i, parts.size(), parts.get(i).clients(), parts.get(i).pairs()));
    }
  }

  private void forgetHosted(String pairId) {
    Hosted h = hosted.remove(pairId);
    if (h == null) return;
    hostedSides.remove(h.pair().a(), pairId);
    hostedSides.remove(h.pair().b(), pairId);
  }

  private RegistryClient clientNamed(
      ActorRef<ConnectionActor.ConversationEvent> connection, String name) {
    RegistryClient c = clients.get(connection);
    return c != null && Username.key(c.name).equals(Username.key(name)) ? c : null;
  }

  private ActorRef<Command> self() {
    return getContext().getSelf();
  }
}
