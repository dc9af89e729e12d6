package mechat.chat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import mechat.protocol.Frame;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

/**
 * Builds the stream that joins a {@link ConnectionActor} to its client, and names what travels on
 * it: decoded input frames in, encoded server lines out.
 *
 * <p>Input: each transport cuts its client's input into frames (a TCP read gives the list of lines
 * it completes); while the actor is busy, the lists of further reads are joined into one batch, so
 * one message and one ack carry many lines. An {@code ActorSink} with an input buffer of one hands
 * the actor one batch at a time and waits for its {@link Ack}. Output: the actor's {@link Outbox}
 * feeds an {@code ActorSource} one element at a time, each acked with {@link Written} once it is
 * passed on. The transport (TCP, TLS, a WebSocket or a test harness) is a {@link Connector}.
 */
public final class ConnectionStream {
  private ConnectionStream() {}

  /** Connects the stream to the client's socket and runs it (once). */
  @FunctionalInterface
  public interface Connector {
    Ends connect(Flow<List<Frame>, ByteString, Ends> stream);
  }

  /** What running the stream gives: where output goes, and when the output side has ended. */
  public record Ends(ActorRef<Outbound> out, CompletionStage<Done> outDone) {}

  /** The ack the inbound sink waits for before it sends the next batch. */
  public enum Ack {
    INSTANCE
  }

  /** Elements of the outbound source: bytes to write, or the end of the output. */
  public sealed interface Outbound {}

  /** Server lines, UTF-8, each terminated by LF (§1): one or many per element. */
  public record Bytes(ByteString bytes) implements Outbound {}

  /** Close after the bytes already written (graceful). */
  public enum Close implements Outbound {
    INSTANCE
  }

  /** Drop the connection at once (a reader that stopped reading). */
  public enum Abort implements Outbound {
    INSTANCE
  }

  /** Fails the outbound stream, which drops the connection. */
  public static final class SlowReaderException extends RuntimeException {
    SlowReaderException() {
      super("reader blocked its sender for too long", null, false, false);
    }
  }

  // What the stream tells the actor.

  record InboundStarted(ActorRef<Ack> ackTo) implements ConnectionActor.Internal {}

  record Inbound(ActorRef<Ack> ackTo, List<Frame> frames) implements ConnectionActor.Internal {}

  enum InboundEnded implements ConnectionActor.Internal {
    INSTANCE
  }

  /** The outbound source has passed the last element on and takes the next. */
  enum Written implements ConnectionActor.Internal {
    INSTANCE
  }

  enum OutboundEnded implements ConnectionActor.Internal {
    INSTANCE
  }

  /** The actor's side of the stream, for a {@link Connector} to run. */
  static Flow<List<Frame>, ByteString, Ends> create(
      ActorRef<ConnectionActor.Command> actor, int batchBytes) {
    Sink<List<Frame>, ?> in =
        Flow.<List<Frame>>create()
            .filter(frames -> !frames.isEmpty())
            .batchWeighted(
                batchBytes,
                ConnectionStream::weight,
                ConnectionStream::firstOfBatch,
                ConnectionStream::addToBatch)
            .to(
                ActorSink.<List<Frame>, ConnectionActor.Command, Ack>actorRefWithBackpressure(
                        actor,
                        Inbound::new,
                        InboundStarted::new,
                        Ack.INSTANCE,
                        InboundEnded.INSTANCE,
                        failure -> InboundEnded.INSTANCE)
                    .addAttributes(Attributes.inputBuffer(1, 1)));
    Source<ByteString, Ends> out =
        ActorSource.<Outbound, ConnectionActor.Command>actorRefWithBackpressure(
                actor,
                Written.INSTANCE,
                o -> o == Close.INSTANCE ? Optional.of(CompletionStrategy.draining()) : none(),
                o ->
                    o == Abort.INSTANCE ? Optional.of(new SlowReaderException()) : Optional.empty())
            .map(o -> ((Bytes) o).bytes())
            .watchTermination(Ends::new);
    return Flow.fromSinkAndSourceMat(in, out, Keep.right());
  }

  private static Optional<CompletionStrategy> none() {
    return Optional.empty();
  }

  private static Long weight(List<Frame> frames) {
    long weight = 0;
    for (Frame f : frames) weight += f instanceof Frame.Line l ? 64L + l.text().length() : 64L;
    return weight;
  }

  /** A batch starts as a copy, so that the transport's list is never changed. */
  private static List<Frame> firstOfBatch(List<Frame> frames) {
    return new java.util.ArrayList<>(frames);
  }

  private static List<Frame> addToBatch(List<Frame> batch, List<Frame> more) {
    batch.addAll(more);
    return batch;
  }
}
