package mechat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import mechat.chat.ConnectionActor;
import mechat.testing.TestServers;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A registry's snapshot is cut into chunks that stay well under Artery's 256 KiB frame. */
class RegistrySnapshotTest {
  private static final ActorTestKit testKit = ActorTestKit.create(TestServers.config());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aFullChunkOfTheLongestNamesIsUnder128KiB() throws Exception {
    List<RegistrySnapshot.ClientState> clients = new ArrayList<>();
    List<RegistrySnapshot.PairState> pairs = new ArrayList<>();
    // one ref for all: its path is as long as any connection's
    ActorRef<ConnectionActor.ConversationEvent> c =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class).ref();
    for (int i = 0; i < 1000; i++) {
      String name = String.format("%030d", i); // 30 characters, the longest a name may be
      clients.add(
          new RegistrySnapshot.ClientState(
              c,
              name,
              "[2001:db8:ffff:ffff:ffff:ffff:ffff:ffff]:65535",
              i,
              "pair-abcdef12-" + i,
              c));
      pairs.add(new RegistrySnapshot.PairState("pair-abcdef12-" + i, c, name, c, name));
    }
    List<RegistrySnapshot.Part> parts = RegistrySnapshot.split(clients, pairs);
    assertEquals(5, parts.size());
    ActorRef<NodeRegistry.Command> registry =
        testKit.createTestProbe(NodeRegistry.Command.class).ref();
    var serialization = SerializationExtension.get(testKit.system().classicSystem());
    for (int i = 0; i < parts.size(); i++) {
      var chunk =
          new ClusterMatchmaker.SnapshotChunk(
              registry, 1, i, parts.size(), parts.get(i).clients(), parts.get(i).pairs());
      int bytes = serialization.serialize(chunk).get().length;
      assertTrue(bytes < 128 * 1024, "chunk " + i + " is " + bytes + " bytes");
    }
    assertEquals(
        1, RegistrySnapshot.split(List.of(), List.of()).size(), "an empty one is one chunk");
  }
}
