package mechat.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import mechat.chat.ConnectionActor;
import mechat.protocol.Username;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The cluster matchmaker's state and rules, without an actor: usernames unique across the cluster
 * (§3.4), one FIFO queue ordered by sequence number (§4.3), the /next rule (§4.4), and the pairs it
 * made, each hosted by one of its two clients' nodes. It is a view: {@link #merge} and {@link
 * #settle} rebuild it from the registries' snapshots. What it decides goes out through {@link
 * Effects}.
 */
final class MatchBook {

  /** What the matchmaker tells the registries about their clients. */
  interface Effects {
    /** The client waits (again): its place and the client it was parted from, or null. */
    void queued(Entry client, ActorRef<ConnectionActor.ConversationEvent> apart);

    /** {@code a} (who waited longer) and {@code b} are paired; {@code pair.host} greets them. */
    void matched(Pair pair, Entry a, Entry b);
  }

  enum Status {
    QUEUED,
    PAIRED,
    /** Neither: a leaver on its way out, or a survivor whose pair's node died. */
    IDLE
  }

  /** One client, with a name the cluster confirmed. */
  static final class Entry {
    final ActorRef<ConnectionActor.ConversationEvent> connection;
    final String name;
    final String address;
    final ActorRef<NodeRegistry.Command> registry;
    long seq = -1;
    Status status = Status.IDLE;
    String pairId;

    Entry(
        ActorRef<ConnectionActor.ConversationEvent> connection,
        String name,
        String address,
        ActorRef<NodeRegistry.Command> registry) {
      this.connection = connection;
      this.name = name;
      this.address = address;
      this.registry = registry;
    }
  }

  /** A pair, its conversation hosted by {@code host}. */
  record Pair(
      String id,
      ActorRef<ConnectionActor.ConversationEvent> a,
      String nameA,
      ActorRef<ConnectionActor.ConversationEvent> b,
      String nameB,
      ActorRef<NodeRegistry.Command> host) {

    boolean has(ActorRef<ConnectionActor.ConversationEvent> side) {
      return a.equals(side) || b.equals(side);
    }
  }

  enum Claim {
    ACCEPTED,
    TAKEN,
    /** The same client claimed the same name before (a retried request). */
    ALREADY
  }

  private final Effects effects;
  private final String pairPrefix;
  private final Predicate<ActorRef<?>> isHere;
  private final Map<String, ActorRef<ConnectionActor.ConversationEvent>> byName = new HashMap<>();
  private final Map<ActorRef<ConnectionActor.ConversationEvent>, Entry> entries = new HashMap<>();
  private final TreeMap<Long, Entry> queue = new TreeMap<>();
  private final Map<String, Pair> pairs = new HashMap<>();

  /** Pairs parted by /next, both ways: not matched again until one of them meets someone else. */
  private final Map<
          ActorRef<ConnectionActor.ConversationEvent>, ActorRef<ConnectionActor.ConversationEvent>>
      apart = new HashMap<>();

  /** Merged from snapshots, not placed yet; and who each said it was parted from. */
  private final List<Entry> unsettled = new ArrayList<>();

  private final Map<
          ActorRef<ConnectionActor.ConversationEvent>, ActorRef<ConnectionActor.ConversationEvent>>
      apartHints = new HashMap<>();

  private long nextSeq;
  private long pairCount;

  /**
   * {@code pairPrefix} makes this incarnation's pair ids unique (they name actors); {@code isHere}
   * tells a registry on the matchmaker's own node.
   */
  MatchBook(Effects effects, String pairPrefix, Predicate<ActorRef<?>> isHere) {
    this.effects = effects;
    this.pairPrefix = pairPrefix;
    this.isHere = isHere;
  }

  Claim claim(
      ActorRef<ConnectionActor.ConversationEvent> connection,
      String name,
      String address,
      ActorRef<NodeRegistry.Command> registry) {
    String key = Username.key(name);
    Entry known = entries.get(connection);
    if (known != null) return Username.key(known.name).equals(key) ? Claim.ALREADY : Claim.TAKEN;
    if (byName.containsKey(key)) return Claim.TAKEN;
    entries.put(connection, new Entry(connection, name, address, registry));
    byName.put(key, connection);
    return Claim.ACCEPTED;
  }

  /** After a claim: queue (or match) a new client; tell a known one again where it stands. */
  void place(ActorRef<ConnectionActor.ConversationEvent> connection) {
    Entry e = entries.get(connection);
    if (e == null) return;
    if (e.status == Status.IDLE) enqueue(e, nextSeq++);
    else if (e.status == Status.QUEUED) tellQueued(e);
  }

  /** The client left: its name is free, it leaves the queue and the /next rule. */
  void release(ActorRef<ConnectionActor.ConversationEvent> connection) {
    Entry e = entries.remove(connection);
    if (e == null) return;
    byName.remove(Username.key(e.name));
    if (e.status == Status.QUEUED) queue.remove(e.seq);
    forgetApart(connection);
  }

  /**
   * A conversation ended (§6): the stayer is queued again, and the leaver too if it left by /next
   * (the two then kept apart). A pair already gone (a retried request, one a rebuild never saw, or
   * the second end of a conversation that lost a line) still leaves nobody adrift.
   */
  void ended(
      String pairId,
      ActorRef<ConnectionActor.ConversationEvent> stayer,
      ActorRef<ConnectionActor.ConversationEvent> leaver,
      boolean byNext) {
    Entry s = entries.get(stayer);
    Entry l = entries.get(leaver);
    Pair p = pairId == null ? null : pairs.get(pairId);
    if (p == null || !p.has(stayer) || !p.has(leaver)) {
      requeueIfAdrift(s);
      if (byNext) requeueIfAdrift(l);
      return;
    }
    pairs.remove(pairId);
    unpair(s, pairId);
    unpair(l, pairId);
    if (byNext && s != null && l != null) {
      apart.put(stayer, leaver);
      apart.put(leaver, stayer);
    }
    if (s != null) enqueue(s, nextSeq++);
    if (l != null && byNext) enqueue(l, nextSeq++);
  }

  /**
   * A node's registry is gone: its clients' names are free and they leave the queue; the pairs it
   * hosted are dissolved, and their survivors returned, to be queued again after a grace period
   * (their connections learn of it from their own watch of the conversation meanwhile).
   */
  List<ActorRef<ConnectionActor.ConversationEvent>> registryGone(
      ActorRef<NodeRegistry.Command> registry) {
    List<ActorRef<ConnectionActor.ConversationEvent>> gone = new ArrayList<>();
    entries.values().stream()
        .filter(e -> e.registry.equals(registry))
        .forEach(e -> gone.add(e.connection));
    gone.forEach(this::release);
    List<ActorRef<ConnectionActor.ConversationEvent>> orphans = new ArrayList<>();
    for (Pair p : List.copyOf(pairs.values())) {
      if (!p.host().equals(registry)) continue;
      pairs.remove(p.id());
      for (ActorRef<ConnectionActor.ConversationEvent> side : List.of(p.a(), p.b())) {
        Entry e = entries.get(side);
        if (e == null || e.status != Status.PAIRED || !p.id().equals(e.pairId)) continue;
        unpair(e, p.id());
        orphans.add(side);
      }
    }
    return orphans;
  }

  /** An orphan's grace period is over: if it is still adrift, it is queued again. */
  void orphanExpired(ActorRef<ConnectionActor.ConversationEvent> connection) {
    requeueIfAdrift(entries.get(connection));
  }

  /** Rebuilding: one registry's snapshot. Clients known already keep what this book knows. */
  void merge(
      ActorRef<NodeRegistry.Command> registry,
      List<RegistrySnapshot.ClientState> clients,
      List<RegistrySnapshot.PairState> hosted) {
    for (RegistrySnapshot.ClientState c : clients) {
      String key = Username.key(c.name());
      if (entries.containsKey(c.connection()) || byName.containsKey(key)) continue;
      Entry e = new Entry(c.connection(), c.name(), c.address(), registry);
      e.seq = c.seq();
      entries.put(c.connection(), e);
      byName.put(key, c.connection());
      unsettled.add(e);
      if (c.apart() != null) apartHints.put(c.connection(), c.apart());
      nextSeq = Math.max(nextSeq, c.seq() + 1);
    }
    for (RegistrySnapshot.PairState p : hosted) {
      pairs.putIfAbsent(
          p.pairId(), new Pair(p.pairId(), p.a(), p.nameA(), p.b(), p.nameB(), registry));
    }
  }

  /**
   * Places every merged client: in a live pair it is chatting; otherwise it waits, in the order of
   * its old place, and is matched now if someone suitable waits before it.
   */
  void settle() {
    for (Pair p : pairs.values()) {
      for (ActorRef<ConnectionActor.ConversationEvent> side : List.of(p.a(), p.b())) {
        Entry e = entries.get(side);
        if (e != null && e.status == Status.IDLE && unsettled.contains(e)) {
          e.status = Status.PAIRED;
          e.pairId = p.id();
        }
      }
    }
    apartHints.forEach(
        (x, y) -> {
          if (x.equals(apartHints.get(y)) && entries.containsKey(y)) apart.put(x, y);
        });
    apartHints.clear();
    unsettled.sort(Comparator.comparingLong(e -> e.seq < 0 ? Long.MAX_VALUE : e.seq));
    for (Entry e : unsettled) {
      if (e.status != Status.IDLE) continue;
      enqueue(e, e.seq >= 0 && !queue.containsKey(e.seq) ? e.seq : nextSeq++);
    }
    unsettled.clear();
  }

  int names() {
    return entries.size();
  }

  int waiting() {
    return queue.size();
  }

  int pairs() {
    return pairs.size();
  }

  /** The names of the waiting clients, longest waiting first. */
  List<String> queueNames() {
    return queue.values().stream().map(e -> e.name).toList();
  }

  private void requeueIfAdrift(Entry e) {
    if (e == null) return;
    if (e.status == Status.IDLE) enqueue(e, nextSeq++);
    else if (e.status == Status.QUEUED) tellQueued(e);
  }

  private void unpair(Entry e, String pairId) {
    if (e != null && e.status == Status.PAIRED && pairId.equals(e.pairId)) {
      e.status = Status.IDLE;
      e.pairId = null;
    }
  }

  /** Pairs the client with whoever has waited longest (and may meet it), or queues it at seq. */
  private void enqueue(Entry e, long seq) {
    if (e.status == Status.QUEUED) {
      tellQueued(e);
      return;
    }
    Entry partner = longestWaitingFor(e);
    if (partner != null) {
      queue.remove(partner.seq);
      match(partner, e);
    } else {
      e.seq = seq;
      e.status = Status.QUEUED;
      queue.put(seq, e);
      tellQueued(e);
    }
  }

  private void tellQueued(Entry e) {
    effects.queued(e, apart.get(e.connection));
  }

  private Entry longestWaitingFor(Entry e) {
    ActorRef<ConnectionActor.ConversationEvent> avoid = apart.get(e.connection);
    for (Entry candidate : queue.values()) {
      if (candidate != e && !candidate.connection.equals(avoid)) return candidate;
    }
    return null;
  }

  /** The conversation goes to the newcomer's node, unless that is this (the matchmaker's) node. */
  private void match(Entry a, Entry b) {
    forgetApart(a.connection);
    forgetApart(b.connection);
    ActorRef<NodeRegistry.Command> host = isHere.test(b.registry) ? a.registry : b.registry;
    Pair p =
        new Pair(
            pairPrefix + "-" + (++pairCount), a.connection, a.name, b.connection, b.name, host);
    pairs.put(p.id(), p);
    for (Entry e : List.of(a, b)) {
      e.status = Status.PAIRED;
      e.pairId = p.id();
    }
    effects.matched(p, a, b);
  }

  private void forgetApart(ActorRef<ConnectionActor.ConversationEvent> client) {
    ActorRef<ConnectionActor.ConversationEvent> other = apart.remove(client);
    if (other != null && client.equals(apart.get(other))) apart.remove(other);
  }
}
