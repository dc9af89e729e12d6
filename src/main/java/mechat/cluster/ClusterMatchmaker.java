package mechat.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import mechat.chat.CborSerializable;
import mechat.chat.ConnectionActor;
import mechat.chat.MatchmakerActor;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's matchmaker, a Cluster Singleton (§11): a {@link MatchBook} rebuilt from every
 * node's {@link NodeRegistry} each time it starts (first start, fail-over, hand-over, restart).
 * Each incarnation has a new epoch, asks every registry it finds through the Receptionist for its
 * snapshot (registries also push theirs), and matches nobody until all Up members' registries have
 * answered or a deadline passes. Requests from registries arrive through the singleton proxy and
 * are acked once handled; a registry retries until then, so each is handled idempotently.
 */
public final class ClusterMatchmaker extends AbstractBehavior<ClusterMatchmaker.Command> {

  public sealed interface Command {}

  /** A registry's request: acked with {@code Acked(id)} once handled, retried until then. */
  public sealed interface Request extends Command, CborSerializable {
    ActorRef<NodeRegistry.Command> registry();

    long id();
  }

  /** A client of {@code registry} claims a (valid) name; it is then queued or matched. */
  public record Claim(
      ActorRef<NodeRegistry.Command> registry,
      long id,
      ActorRef<ConnectionActor.ConversationEvent> connection,
      String name,
      String address)
      implements Request {}

  /** The client left: its name is free again. */
  public record Release(
      ActorRef<NodeRegistry.Command> registry,
      long id,
      ActorRef<ConnectionActor.ConversationEvent> connection)
      implements Request {}

  /** A conversation that {@code registry} hosts ended: the stayer (and a /next leaver) requeue. */
  public record Ended(
      ActorRef<NodeRegistry.Command> registry,
      long id,
      String pairId,
      ActorRef<ConnectionActor.ConversationEvent> stayer,
      ActorRef<ConnectionActor.ConversationEvent> leaver,
      boolean byNext)
      implements Request {}

  /** Part {@code index} of {@code count} of a registry's snapshot; answered Registered. */
  public record SnapshotChunk(
      ActorRef<NodeRegistry.Command> registry,
      long snapshotId,
      int index,
      int count,
      List<RegistrySnapshot.ClientState> clients,
      List<RegistrySnapshot.PairState> pairs)
      implements Command, CborSerializable {}

  /** Cluster-wide counts: names, waiting clients, conversations. */
  public record GetStats(ActorRef<MatchmakerActor.Stats> replyTo)
      implements Command, CborSerializable {}

  /** For tests and operators: the epoch, whether it is ready, and the queue in order. */
  public record GetView(ActorRef<View> replyTo) implements Command, CborSerializable {}

  public record View(
      String epoch, boolean ready, int names, List<String> waiting, int pairs, int registries)
      implements CborSerializable {}

  /**
   * For tests: fail on purpose; the supervisor restarts the matchmaker in place, and it rebuilds.
   */
  public enum Restart implements Command, CborSerializable {
    INSTANCE
  }

  /** The hand-over's stop message. */
  public enum Stop implements Command, CborSerializable {
    INSTANCE
  }

  private sealed interface Internal extends Command, NoSerializationVerificationNeeded {}

  private record ListingUpdated(Receptionist.Listing listing) implements Internal {}

  private record RegistryTerminated(ActorRef<NodeRegistry.Command> registry) implements Internal {}

  private record OrphanExpired(ActorRef<ConnectionActor.ConversationEvent> connection)
      implements Internal {}

  private enum RecoveryDeadline implements Internal {
    INSTANCE
  }

  /** How long a rebuild waits for the registries of every Up member before it goes on. */
  static final Duration RECOVERY_DEADLINE = Duration.ofSeconds(5);

  /**
   * How long a survivor of a pair whose host node is gone waits before it is queued again. Its
   * connection usually hears of the conversation's death from its own watch within this time; when
   * the requeue comes first, the connection takes it as "partner left" (ConnectionPhase).
   */
  static final Duration ORPHAN_GRACE = Duration.ofMillis(200);

  private static final Logger LOG = LoggerFactory.getLogger(ClusterMatchmaker.class);

  private final StashBuffer<Command> stash;
  private final TimerScheduler<Command> timers;
  private final String epoch = Epochs.next();
  private final long startNanos = System.nanoTime();
  private final MatchBook book;
  private final Set<ActorRef<NodeRegistry.Command>> resyncAsked = new HashSet<>();
  private final Set<ActorRef<NodeRegistry.Command>> watched = new HashSet<>();
  private final Set<Address> synced = new HashSet<>();
  private final Map<ActorRef<NodeRegistry.Command>, SnapshotAssembly> assemblies = new HashMap<>();
  private boolean ready;

  /** The matchmaker, restarted in place (same ref, new epoch, rebuilt) when it fails. */
  public static Behavior<Command> create() {
    return Behaviors.supervise(
            Behaviors.<Command>setup(
                ctx ->
                    Behaviors.withStash(
                        10_000,
                        stash ->
                            Behaviors.withTimers(
                                timers -> new ClusterMatchmaker(ctx, stash, timers)))))
        .onFailure(SupervisorStrategy.restart().withLimit(10, Duration.ofMinutes(1)));
  }

  private ClusterMatchmaker(
      ActorContext<Command> context, StashBuffer<Command> stash, TimerScheduler<Command> timers) {
    super(context);
    this.stash = stash;
    this.timers = timers;
    this.book =
        new MatchBook(
            new Tell(), "pair-" + Epochs.tag(epoch), r -> r.path().address().hasLocalScope());
    context
        .getSystem()
        .receptionist()
        .tell(
            Receptionist.subscribe(
                NodeRegistry.KEY,
                context.messageAdapter(Receptionist.Listing.class, ListingUpdated::new)));
    timers.startSingleTimer(RecoveryDeadline.INSTANCE, RECOVERY_DEADLINE);
    LOG.info(
        "matchmaker started on {} (epoch {}): rebuilding from the nodes' registries",
        selfAddress(),
        epoch);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Request.class, this::onRequest)
        .onMessage(SnapshotChunk.class, this::onChunk)
        .onMessage(ListingUpdated.class, this::onListing)
        .onMessage(RegistryTerminated.class, this::onRegistryTerminated)
        .onMessage(OrphanExpired.class, this::onOrphanExpired)
        .onMessageEquals(RecoveryDeadline.INSTANCE, () -> finishRecovery("deadline"))
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(GetView.class, this::onGetView)
        .onMessageEquals(Restart.INSTANCE, this::onRestart)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PreRestart.class, s -> onPreRestart())
        .build();
  }

  private Behavior<Command> onRequest(Request r) {
    if (!ready) {
      if (!stash.isFull()) stash.stash(r); // else dropped: the registry retries
      return this;
    }
    watch(r.registry());
    if (r instanceof Claim c) {
      onClaim(c);
    } else if (r instanceof Release rel) {
      book.release(rel.connection());
    } else if (r instanceof Ended e) {
      book.ended(e.pairId(), e.stayer(), e.leaver(), e.byNext());
    }
    r.registry().tell(new NodeRegistry.Acked(epoch, r.id()));
    return this;
  }

  private void onClaim(Claim c) {
    MatchBook.Claim result = book.claim(c.connection(), c.name(), c.address(), c.registry());
    if (result == MatchBook.Claim.TAKEN) {
      c.registry().tell(new NodeRegistry.NameTaken(epoch, c.connection(), c.name()));
      return;
    }
    c.registry().tell(new NodeRegistry.Confirmed(epoch, c.connection(), c.name()));
    book.place(c.connection());
  }

  private Behavior<Command> onChunk(SnapshotChunk chunk) {
    SnapshotAssembly assembly = assemblies.get(chunk.registry());
    if (assembly == null || assembly.snapshotId() != chunk.snapshotId()) {
      assembly = new SnapshotAssembly(chunk.snapshotId(), chunk.count());
      assemblies.put(chunk.registry(), assembly);
    }
    if (!assembly.add(chunk.index(), chunk.clients(), chunk.pairs())) return this;
    assemblies.remove(chunk.registry());
    watch(chunk.registry());
    book.merge(chunk.registry(), assembly.clients(), assembly.pairs());
    LOG.debug(
        "merged the snapshot of {}: {} clients, {} conversations",
        addressOf(chunk.registry()),
        assembly.clients().size(),
        assembly.pairs().size());
    synced.add(addressOf(chunk.registry()));
    chunk
        .registry()
        .tell(new NodeRegistry.Registered(epoch, getContext().getSelf(), chunk.snapshotId()));
    if (ready) {
      book.settle();
      return this;
    }
    return synced.containsAll(upMembers()) ? finishRecovery("every Up member answered") : this;
  }

  private Behavior<Command> onListing(ListingUpdated l) {
    for (ActorRef<NodeRegistry.Command> r : l.listing().getServiceInstances(NodeRegistry.KEY)) {
      if (resyncAsked.add(r)) r.tell(new NodeRegistry.Resync(epoch, getContext().getSelf()));
    }
    return this;
  }

  private Behavior<Command> finishRecovery(String why) {
    if (ready) return this;
    ready = true;
    timers.cancel(RecoveryDeadline.INSTANCE);
    book.settle();
    LOG.info(
        "matchmaker ready (epoch {}, {}) after {} ms: {} names, {} waiting, {} conversations from {}"
            + " nodes",
        epoch,
        why,
        (System.nanoTime() - startNanos) / 1_000_000,
        book.names(),
        book.waiting(),
        book.pairs(),
        synced.size());
    return stash.unstashAll(this);
  }

  private Behavior<Command> onRegistryTerminated(RegistryTerminated t) {
    watched.remove(t.registry());
    resyncAsked.remove(t.registry());
    synced.remove(addressOf(t.registry()));
    int before = book.names();
    List<ActorRef<ConnectionActor.ConversationEvent>> orphans = book.registryGone(t.registry());
    orphans.forEach(o -> timers.startSingleTimer(new OrphanExpired(o), ORPHAN_GRACE));
    LOG.info(
        "node {} is gone: {} names released, {} partners await their requeue",
        addressOf(t.registry()),
        before - book.names(),
        orphans.size());
    if (!ready && synced.containsAll(upMembers()))
      return finishRecovery("every Up member answered");
    return this;
  }

  private Behavior<Command> onOrphanExpired(OrphanExpired o) {
    book.orphanExpired(o.connection());
    return this;
  }

  private Behavior<Command> onGetStats(GetStats g) {
    g.replyTo().tell(new MatchmakerActor.Stats(book.names(), book.waiting(), book.pairs()));
    return this;
  }

  private Behavior<Command> onGetView(GetView g) {
    g.replyTo()
        .tell(new View(epoch, ready, book.names(), book.queueNames(), book.pairs(), synced.size()));
    return this;
  }

  private Behavior<Command> onRestart() {
    throw new IllegalStateException("restart requested (epoch " + epoch + ")");
  }

  private Behavior<Command> onPreRestart() {
    LOG.warn("matchmaker (epoch {}) failed: restarting it, it rebuilds from the registries", epoch);
    return this;
  }

  private void watch(ActorRef<NodeRegistry.Command> registry) {
    if (watched.add(registry)) {
      getContext().watchWith(registry, new RegistryTerminated(registry));
    }
  }

  private Address selfAddress() {
    return Cluster.get(getContext().getSystem()).selfMember().address();
  }

  private Address addressOf(ActorRef<?> ref) {
    Address a = ref.path().address();
    return a.hasLocalScope() ? selfAddress() : a;
  }

  private Set<Address> upMembers() {
    Iterable<Member> members = Cluster.get(getContext().getSystem()).state().getMembers();
    return StreamSupport.stream(members.spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp())
        .map(Member::address)
        .collect(Collectors.toSet());
  }

  /** The book's decisions, told to the registries of the clients concerned. */
  private final class Tell implements MatchBook.Effects {
    @Override
    public void queued(MatchBook.Entry client, ActorRef<ConnectionActor.ConversationEvent> apart) {
      client.registry.tell(new NodeRegistry.Queued(epoch, client.connection, client.seq, apart));
    }

    @Override
    public void matched(MatchBook.Pair pair, MatchBook.Entry a, MatchBook.Entry b) {
      a.registry.tell(new NodeRegistry.Paired(epoch, a.connection, pair.id()));
      b.registry.tell(new NodeRegistry.Paired(epoch, b.connection, pair.id()));
      pair.host()
          .tell(
              new NodeRegistry.StartConversation(
                  epoch, pair.id(), pair.a(), pair.nameA(), pair.b(), pair.nameB()));
      LOG.info("matched [{}] ({}) with [{}] ({})", a.name, a.address, b.name, b.address);
    }
  }
}
