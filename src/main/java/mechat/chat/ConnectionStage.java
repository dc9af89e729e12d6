package mechat.chat;

import java.util.ArrayList;
import java.util.List;
import mechat.protocol.Frame;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * The one stage between a transport and its {@link ConnectionActor}: it hands the actor batches of
 * input frames, one at a time, and writes what the actor gives it, one element at a time, telling
 * the actor when each is passed on. The actor drives it through the materialized {@link
 * ConnectionStream.Handle}, whose calls are async callbacks: no stage actor, no per-connection
 * actor cell beyond the stream's own.
 *
 * <p>Input: while the actor works on a batch, later reads are joined into the next, up to {@code
 * batchBytes}; past that the stage stops pulling, and the transport stops reading. The end of the
 * input is told after the last batch is acked, so no line read before it is lost. Output: the stage
 * completes (closing the connection) once the last element after {@code close} is passed on, and
 * fails on {@code abort}. Either side may end first; the stage lives until both have, or until the
 * actor has stopped.
 */
final class ConnectionStage
    extends AbstractGraphStageWithMaterializedValue<
        FlowShape<List<Frame>, ByteString>, ConnectionStream.Handle> {
  private final Inlet<List<Frame>> in = Inlet.create("ConnectionStage.in");
  private final Outlet<ByteString> out = Outlet.create("ConnectionStage.out");
  private final FlowShape<List<Frame>, ByteString> shape = FlowShape.of(in, out);
  private final int batchBytes;

  ConnectionStage(int batchBytes) {
    this.batchBytes = batchBytes;
  }

  @Override
  public FlowShape<List<Frame>, ByteString> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, ConnectionStream.Handle> createLogicAndMaterializedValuePair(
      Attributes attributes) {
    Logic logic = new Logic();
    return Pair.create(logic, logic.handle);
  }

  /** The handle's calls other than a write. */
  private enum Call {
    ACK,
    CLOSE,
    ABORT,
    ACTOR_STOPPED
  }

  /** Starts the stage for its actor. */
  private record Start(ActorRef<ConnectionActor.Command> actor) {}

  private final class Logic extends GraphStageLogic {
    private ActorRef<ConnectionActor.Command> actor;

    /** What happened before the actor started the stage: a connection that broke at once. */
    private List<ConnectionActor.Command> early;

    // input
    private List<Frame> batch;
    private long batchWeight;
    private boolean awaitingAck;
    private boolean inputEnded;
    private boolean endTold;
    // output
    private ByteString pending;
    private boolean closing;
    private boolean outputEnded;

    /** One callback for every call of the handle: each callback costs ~150 bytes of state. */
    private final AsyncCallback<Object> fromActor = createAsyncCallback(this::onActorCall);

    final ConnectionStream.Handle handle =
        new ConnectionStream.Handle() {
          @Override
          void start(ActorRef<ConnectionActor.Command> actor) {
            fromActor.invoke(new Start(actor));
          }

          @Override
          void ack() {
            fromActor.invoke(Call.ACK);
          }

          @Override
          void write(ByteString bytes) {
            fromActor.invoke(bytes);
          }

          @Override
          void close() {
            fromActor.invoke(Call.CLOSE);
          }

          @Override
          void abort() {
            fromActor.invoke(Call.ABORT);
          }

          @Override
          void actorStopped() {
            fromActor.invoke(Call.ACTOR_STOPPED);
          }
        };

    Logic() {
      super(shape);
      setHandler(
          in,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              onFrames(grab(in));
            }

            @Override
            public void onUpstreamFinish() {
              onInputEnded();
            }

            @Override
            public void onUpstreamFailure(Throwable failure) {
              onInputEnded(); // a reset ends the input like a close (§7)
            }
          });
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              if (pending != null) {
                ByteString bytes = pending;
                pending = null;
                pushAndTell(bytes);
              }
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              endOutput(); // the client's socket is gone; its input may still hold lines
            }
          });
    }

    private void onActorCall(Object call) {
      if (call instanceof ByteString bytes) onWrite(bytes);
      else if (call instanceof Start start) onStart(start.actor());
      else if (call == Call.ACK) onAck();
      else if (call == Call.CLOSE) onClose();
      else if (call == Call.ABORT) onAbort();
      else onActorStopped();
    }

    @Override
    public void preStart() {
      setKeepGoing(true); // an ended input waits for the actor's last ack
    }

    private void onStart(ActorRef<ConnectionActor.Command> startedBy) {
      actor = startedBy;
      if (early != null) early.forEach(actor::tell);
      early = null;
      if (!isClosed(in)) pull(in);
    }

    private void tell(ConnectionActor.Command message) {
      if (actor != null) {
        actor.tell(message);
      } else {
        if (early == null) early = new ArrayList<>(2);
        early.add(message);
      }
    }

    private void onFrames(List<Frame> frames) {
      if (!frames.isEmpty()) {
        if (batch == null) batch = new ArrayList<>(frames);
        else batch.addAll(frames);
        for (Frame f : frames)
          batchWeight += f instanceof Frame.Line l ? 64 + l.text().length() : 64;
        if (!awaitingAck) sendBatch();
      }
      if (batchWeight < batchBytes) pull(in);
    }

    private void sendBatch() {
      tell(new ConnectionStream.Inbound(batch));
      batch = null;
      batchWeight = 0;
      awaitingAck = true;
    }

    private void onAck() {
      awaitingAck = false;
      if (batch != null) sendBatch();
      if (inputEnded) {
        tellInputEnded();
      } else if (!hasBeenPulled(in) && !isClosed(in)) {
        pull(in);
      }
    }

    private void onInputEnded() {
      inputEnded = true;
      tellInputEnded();
    }

    /** Once the last batch is acked: no line read before the end is lost. */
    private void tellInputEnded() {
      if (endTold || awaitingAck || batch != null) return;
      endTold = true;
      tell(ConnectionStream.InboundEnded.INSTANCE);
      if (outputEnded) completeStage();
    }

    private void onWrite(ByteString bytes) {
      if (outputEnded) return;
      if (isAvailable(out)) pushAndTell(bytes);
      else pending = bytes;
    }

    private void pushAndTell(ByteString bytes) {
      push(out, bytes);
      tell(ConnectionStream.Written.INSTANCE);
      if (closing) finishOutput();
    }

    private void onClose() {
      closing = true;
      if (pending == null) finishOutput();
    }

    private void finishOutput() {
      if (outputEnded) return;
      complete(out);
      endOutput();
    }

    private void onAbort() {
      if (outputEnded) return;
      fail(out, new ConnectionStream.SlowReaderException());
      endOutput();
    }

    /** Nothing will ack or write any more: whatever is left ends now. */
    private void onActorStopped() {
      if (!outputEnded) fail(out, new ConnectionStream.SlowReaderException());
      completeStage();
    }

    private void endOutput() {
      if (outputEnded) return;
      outputEnded = true;
      pending = null;
      tell(ConnectionStream.OutboundEnded.INSTANCE);
      if (endTold) completeStage();
    }
  }
}
