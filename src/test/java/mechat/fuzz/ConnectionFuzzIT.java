package mechat.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mechat.chat.ConnectionActor;
import mechat.chat.ConnectionSettings;
import mechat.chat.ConnectionStream;
import mechat.chat.MatchmakerActor;
import mechat.chat.ServerMetrics;
import mechat.protocol.LineDecoder;
import mechat.testing.TestServers;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Protocol §1–§6 under random input, without sockets: real {@link ConnectionActor}s, each with its
 * own in-memory transport (so F's bytes reach the decoder in exactly the reads drawn), and a real
 * {@link MatchmakerActor}, fresh for every try. The scene and its checks are in {@link Scene}.
 */
class ConnectionFuzzIT {
  private static final ActorTestKit testKit = ActorTestKit.create(TestServers.config());
  private static final AtomicInteger ids = new AtomicInteger();
  private static LogWatch logs;

  /** Small limits make over-long lines common; 30 lets a name of 30 characters through. */
  static final Fuzz.Domain<Scene.Case> CASES =
      Scene.domain(new int[] {8, 12, 16, 30, 31, 64, 4096});

  @BeforeAll
  static void watchLogs() {
    logs = LogWatch.install();
  }

  @AfterAll
  static void shutdown() {
    logs.uninstall();
    testKit.shutdownTestKit();
  }

  /** A fresh matchmaker; connections spawned beside it, as the server's guardian would. */
  private static final class MemoryWorld implements Scene.World {
    private final ConnectionSettings settings;
    private final ActorRef<MatchmakerActor.Command> matchmaker;

    MemoryWorld(int maxLineBytes) {
      settings = TestServers.settings("max-line-bytes = " + maxLineBytes).connection();
      matchmaker = testKit.spawn(MatchmakerActor.create(), "matchmaker-" + ids.incrementAndGet());
    }

    @Override
    public Scene.Peer connect(String label, int reads) {
      return new MemoryPeer(settings, matchmaker, label, reads);
    }

    @Override
    public MatchmakerActor.Stats stats() throws Exception {
      return AskPattern.<MatchmakerActor.Command, MatchmakerActor.Stats>ask(
              matchmaker, MatchmakerActor.GetStats::new, Duration.ofSeconds(5), testKit.scheduler())
          .toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
    }

    @Override
    public boolean sendsPastQuit() {
      return true;
    }

    void close() {
      testKit.stop(matchmaker);
    }
  }

  /** A connection actor whose socket is a queue in and a transcript out. */
  private static final class MemoryPeer implements Scene.Peer {
    private final CompletableFuture<BoundedSourceQueue<ByteString>> input =
        new CompletableFuture<>();
    private final Transcript output = new Transcript();
    private final String label;

    MemoryPeer(
        ConnectionSettings settings,
        ActorRef<MatchmakerActor.Command> matchmaker,
        String label,
        int reads) {
      this.label = label;
      LineDecoder decoder = new LineDecoder(settings.maxLineBytes());
      ConnectionStream.Connector connector =
          stream -> {
            Pair<
                    Pair<BoundedSourceQueue<ByteString>, ConnectionStream.Handle>,
                    CompletionStage<Done>>
                ends =
                    Source.<ByteString>queue(reads)
                        .map(decoder::decode)
                        .viaMat(stream, Keep.both())
                        .toMat(Sink.foreach(bytes -> output.add(bytes.toArray())), Keep.both())
                        .run(testKit.system());
            ends.second().whenComplete((done, failure) -> output.end(failure));
            input.complete(ends.first().first());
            return ends.first().second();
          };
      testKit.spawn(
          ConnectionActor.create(
              settings, matchmaker, "memory:" + label, new ServerMetrics(), connector),
          "connection-" + ids.incrementAndGet());
    }

    private BoundedSourceQueue<ByteString> queue() {
      try {
        return input.get(Scene.WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new AssertionError("the connection actor never connected its transport", e);
      }
    }

    @Override
    public void send(byte[] read) {
      QueueOfferResult result = queue().offer(ByteString.fromArray(read));
      // after /quit the server may already have closed: the rest is not read, as over TCP
      assertFalse(result == QueueOfferResult.dropped(), "the input queue is large enough");
    }

    @Override
    public void endInput() {
      try {
        queue().complete();
      } catch (IllegalStateException alreadyClosed) {
        // the server closed first (after /quit): its input side is already cancelled
      }
    }

    @Override
    public Transcript output() {
      return output;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  static void behavesPerSpec(Scene.Case c) {
    MemoryWorld world = new MemoryWorld(c.max());
    try {
      Scene.play(world, c, logs);
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      world.close();
    }
  }

  @Test
  void s1_s6_anyBytesFromOneClientAreAnsweredPerSpecAndDisturbNobody() {
    Fuzz.Run run = Fuzz.check("connection", 120, 300, CASES, ConnectionFuzzIT::behavesPerSpec);
    assertTrue(run.tries() > 0, "ran no try");
  }

  @Test
  void s1_s6_corpusIsAnsweredPerSpec() {
    List<Corpus.Entry> corpus = Corpus.load("connection");
    assertFalse(corpus.isEmpty(), "the connection corpus is in src/test/resources/fuzz/connection");
    for (Corpus.Entry e : corpus) {
      int max = Corpus.maxLineBytes(e.name(), 16);
      int[] everyByte = Corpus.splits(e.bytes()).get(1);
      for (int[] cuts : List.of(new int[0], everyByte)) {
        Scene.Case c = new Scene.Case(max, e.bytes(), cuts);
        Fuzz.replay(e.name(), CASES, ConnectionFuzzIT::behavesPerSpec, c);
      }
    }
  }
}
