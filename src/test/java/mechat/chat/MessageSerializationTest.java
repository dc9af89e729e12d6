package mechat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import mechat.cluster.ClusterMatchmaker;
import mechat.cluster.NodeRegistry;
import mechat.cluster.RegistrySnapshot;
import mechat.testing.TestServers;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every message marked {@link CborSerializable} survives jackson-cbor (style §9.13), private ones
 * included, the cluster's ({@code mechat.cluster}) too; and no such message is left without a
 * sample here.
 */
class MessageSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(TestServers.config());

  private static final ActorRef<ConnectionActor.ConversationEvent> connection =
      testKit.createTestProbe(ConnectionActor.ConversationEvent.class).ref();
  private static final ActorRef<ConnectionActor.MatchmakerReply> replyTo =
      testKit.createTestProbe(ConnectionActor.MatchmakerReply.class).ref();
  private static final ActorRef<ConnectionActor.ConversationEvent> otherConnection =
      testKit.createTestProbe(ConnectionActor.ConversationEvent.class).ref();
  private static final ActorRef<ConversationActor.Command> conversation =
      testKit.createTestProbe(ConversationActor.Command.class).ref();
  private static final ActorRef<MatchmakerActor.Stats> statsReplyTo =
      testKit.createTestProbe(MatchmakerActor.Stats.class).ref();
  private static final ActorRef<NodeRegistry.Command> registry =
      testKit.createTestProbe(NodeRegistry.Command.class).ref();
  private static final ActorRef<ClusterMatchmaker.Command> matchmaker =
      testKit.createTestProbe(ClusterMatchmaker.Command.class).ref();
  private static final String EPOCH = "1796619875632-f9931ad1";

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  static List<Object> samples() {
    return List.of(
        // MatchmakerActor
        new MatchmakerActor.Register("Alice-1!", "127.0.0.1:50000", replyTo, connection),
        new MatchmakerActor.Unregister(connection),
        new MatchmakerActor.Quit(connection, replyTo),
        new MatchmakerActor.ConversationEnded(connection, otherConnection, true),
        new MatchmakerActor.ConversationEnded(connection, otherConnection, false),
        new MatchmakerActor.GetStats(statsReplyTo),
        new MatchmakerActor.Stats(3, 1, 1),
        privateMessage(MatchmakerActor.class, "ConnectionTerminated", connection),
        privateMessage(MatchmakerActor.class, "ConversationTerminated"),
        // ConversationActor
        new ConversationActor.Say(connection, List.of("hello", "", "ünïcödé ✓ 😀", "a: b")),
        new ConversationActor.Say(connection, List.of()),
        new ConversationActor.Leave(connection, true),
        new ConversationActor.Release(connection),
        new ConversationActor.ServerStopping(connection),
        privateMessage(ConversationActor.class, "SideTerminated", connection),
        // ConnectionActor
        ConnectionActor.NameTaken.INSTANCE,
        ConnectionActor.Waiting.INSTANCE,
        ConnectionActor.Released.INSTANCE,
        new ConnectionActor.Matched(conversation, "bob"),
        new ConnectionActor.Deliver(
            conversation, "bob", List.of("hi", "\ttabbed"), otherConnection),
        new ConnectionActor.Delivered(conversation),
        new ConnectionActor.NotDelivered(conversation, 2),
        new ConnectionActor.PartnerLeft(conversation),
        new ConnectionActor.LeaveConfirmed(conversation),
        ConnectionActor.ServerShuttingDown.INSTANCE,
        // ConversationActor, in a cluster
        new ConversationActor.LinkLost(),
        // the cluster's matchmaker (mechat.cluster)
        new ClusterMatchmaker.Claim(registry, 1, connection, "Alice-1!", "127.0.0.1:50000"),
        new ClusterMatchmaker.Release(registry, 2, connection),
        new ClusterMatchmaker.Ended(
            registry, 3, "pair-f9931ad1-7", connection, otherConnection, true),
        new ClusterMatchmaker.Ended(registry, 4, null, connection, otherConnection, false),
        new ClusterMatchmaker.SnapshotChunk(
            registry, 5, 0, 2, List.of(clientState(), clientState()), List.of(pairState())),
        new ClusterMatchmaker.GetStats(statsReplyTo),
        new ClusterMatchmaker.GetView(testKit.createTestProbe(ClusterMatchmaker.View.class).ref()),
        new ClusterMatchmaker.View(EPOCH, true, 3, List.of("bob", "alice"), 1, 3),
        ClusterMatchmaker.Restart.INSTANCE,
        ClusterMatchmaker.Stop.INSTANCE,
        // a node's registry (mechat.cluster)
        new NodeRegistry.Resync(EPOCH, matchmaker),
        new NodeRegistry.Registered(EPOCH, matchmaker, 9),
        new NodeRegistry.Acked(EPOCH, 3),
        new NodeRegistry.Confirmed(EPOCH, connection, "bob"),
        new NodeRegistry.NameTaken(EPOCH, connection, "bob"),
        new NodeRegistry.Queued(EPOCH, connection, 42, otherConnection),
        new NodeRegistry.Queued(EPOCH, connection, 43, null),
        new NodeRegistry.Paired(EPOCH, connection, "pair-f9931ad1-7"),
        new NodeRegistry.StartConversation(
            EPOCH, "pair-f9931ad1-7", connection, "alice", otherConnection, "bob"),
        clientState(),
        new RegistrySnapshot.ClientState(connection, "carl", "127.0.0.1:50002", -1, null, null),
        pairState());
  }

  private static RegistrySnapshot.ClientState clientState() {
    return new RegistrySnapshot.ClientState(
        connection, "alice", "127.0.0.1:50000", 7, "pair-f9931ad1-7", otherConnection);
  }

  private static RegistrySnapshot.PairState pairState() {
    return new RegistrySnapshot.PairState(
        "pair-f9931ad1-7", connection, "alice", otherConnection, "bob");
  }

  @ParameterizedTest
  @MethodSource("samples")
  void roundTripsThroughJacksonCbor(Object message) {
    Serializer serializer =
        SerializationExtension.get(testKit.system().classicSystem()).findSerializerFor(message);
    assertInstanceOf(JacksonCborSerializer.class, serializer, "bound to jackson-cbor");
    testKit.serializationTestKit().verifySerialization(message, true);
  }

  @Test
  void everyCborSerializableMessageHasASample() throws Exception {
    Set<String> marked = cborSerializableClasses();
    assertFalse(marked.isEmpty(), "no CborSerializable classes found: the scan is broken");
    Set<String> sampled =
        samples().stream()
            .map(m -> m.getClass().getName())
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(marked, sampled, "every CborSerializable message type needs a sample above");
  }

  /** Concrete classes under mechat/ in the compiled main classes that implement the marker. */
  private static Set<String> cborSerializableClasses() throws Exception {
    Path root =
        Path.of(CborSerializable.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ClassLoader loader = CborSerializable.class.getClassLoader();
    Set<String> found = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root.resolve("mechat"))) {
      for (Path file :
          (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String name =
            root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
        Class<?> c =
            Class.forName(name.substring(0, name.length() - ".class".length()), false, loader);
        if (CborSerializable.class.isAssignableFrom(c) && !c.isInterface()) found.add(c.getName());
      }
    }
    return found;
  }

  /** Builds a private message record (one that watchWith or an adapter sends) by reflection. */
  private static Object privateMessage(Class<?> actor, String simpleName, Object... args) {
    try {
      Class<?> type = Class.forName(actor.getName() + "$" + simpleName);
      Constructor<?> constructor = type.getDeclaredConstructors()[0];
      constructor.setAccessible(true);
      return constructor.newInstance(args);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + simpleName, e);
    }
  }
}
