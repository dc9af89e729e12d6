package mechat.chat;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import mechat.protocol.Frame;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * The stream that joins a {@link ConnectionActor} to its client, and what travels on it: decoded
 * input frames in (each transport cuts its client's input into frames: a TCP read gives the list of
 * lines it completes), encoded server lines out. One {@link ConnectionStage} does all of it; the
 * transport (TCP, TLS, a WebSocket or a test harness) is a {@link Connector}.
 */
public final class ConnectionStream {
  private ConnectionStream() {}

  /** Connects the stream to the client's socket and runs it (once). */
  @FunctionalInterface
  public interface Connector {
    Handle connect(Flow<List<Frame>, ByteString, Handle> stream);
  }

  /**
   * What the actor holds of its running stream; every call is asynchronous and thread-safe. Its
   * operations are the actor's alone: a transport only passes the handle on.
   */
  public abstract static class Handle {
    Handle() {}

    /** The actor the stream talks to; nothing is read before this. */
    abstract void start(ActorRef<ConnectionActor.Command> actor);

    /** The last batch is handled: the stream may send the next one. */
    abstract void ack();

    /** Server lines, UTF-8, each ended by LF (§1). */
    abstract void write(ByteString bytes);

    /** A partner's lines; {@code confirmation} is sent once the output has room for more. */
    abstract void deliver(ByteString bytes, Outbox.Confirmation confirmation);

    /** Close after the bytes already written (graceful). */
    abstract void close();

    /** Drop the connection at once (a reader that stopped reading). */
    abstract void abort();

    /** The actor is gone: end whatever is left of the stream. */
    abstract void actorStopped();
  }

  /** Fails the output, which drops the connection. */
  public static final class SlowReaderException extends RuntimeException {
    SlowReaderException() {
      super("reader blocked its sender for too long", null, false, false);
    }
  }

  // What the stream tells the actor.

  /** Frames of one or more reads; the next batch comes after {@link Handle#ack()}. */
  record Inbound(List<Frame> frames) implements ConnectionActor.Internal {}

  /** The client sent its last byte or broke off, and every batch before was acked. */
  enum InboundEnded implements ConnectionActor.Internal {
    INSTANCE
  }

  /** Bytes have waited for the whole slow-reader timeout without any write going out (§5.4). */
  enum OutputStalled implements ConnectionActor.Internal {
    INSTANCE
  }

  /** Nothing more can be written: closed, dropped, or the client's socket is gone. */
  enum OutboundEnded implements ConnectionActor.Internal {
    INSTANCE
  }

  private static final ConcurrentHashMap<ConnectionSettings, Flow<List<Frame>, ByteString, Handle>>
      SHARED = new ConcurrentHashMap<>();

  /**
   * The actor's side of the stream, for a {@link Connector} to run, then {@link Handle#start} it.
   * One blueprint serves every connection with the same settings: what a connection keeps of its
   * blueprint is then shared, not its own.
   */
  static Flow<List<Frame>, ByteString, Handle> create(ConnectionSettings settings) {
    return SHARED.computeIfAbsent(settings, s -> Flow.fromGraph(new ConnectionStage(s)));
  }
}
