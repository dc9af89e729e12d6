package mechat.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mechat.protocol.Frame;
import org.apache.pekko.actor.Cancellable;
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
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.DurationConverters;

/**
 * The one stage between a transport and its {@link ConnectionActor}: it hands the actor batches of
 * input frames, one at a time, and holds the connection's output, its {@link Outbox}. The actor
 * drives it through the materialized {@link ConnectionStream.Handle}, whose calls are async
 * callbacks: no stage actor, and no message back for each write.
 *
 * <p>Input: while the actor works on a batch, later reads are joined into the next, up to the batch
 * size; past that the stage stops pulling and the transport stops reading. The next batch goes out
 * once the actor has acked the last one and the output is under its high-water mark, so a client
 * that provokes answers it never reads is held back too. The end of the input is told after the
 * last batch is acked, so no line read before it is lost.
 *
 * <p>Output: whatever is queued goes out as one element when the socket asks for more; partner
 * lines are confirmed per the {@link Outbox}. The slow-reader clock (§5.4) ticks while bytes wait:
 * when no write has gone out for the whole timeout, the actor is told. The stage completes (closing
 * the connection) once the last bytes after {@code close} are out, and fails on {@code abort}.
 * Either side may end first; the stage lives until both have, or until the actor stops.
 */
final class ConnectionStage
    extends AbstractGraphStageWithMaterializedValue<
        FlowShape<List<Frame>, ByteString>, ConnectionStream.Handle> {
  /** The slow-reader clock's resolution: a tenth of the timeout, within these bounds. */
  private static final Duration MIN_TICK = Duration.ofMillis(10);

  private static final Duration MAX_TICK = Duration.ofSeconds(1);

  /**
   * Once the last notice is queued, a reader that takes nothing for this long (or the slow-reader
   * timeout, if shorter) is dropped: it would not read its goodbye, and must not hold a shutdown
   * past its budget.
   */
  static final Duration GOODBYE_STALL = Duration.ofSeconds(2);

  private final Inlet<List<Frame>> in = Inlet.create("ConnectionStage.in");
  private final Outlet<ByteString> out = Outlet.create("ConnectionStage.out");
  private final FlowShape<List<Frame>, ByteString> shape = FlowShape.of(in, out);
  private final ConnectionSettings settings;
  private final Duration tick;
  private final FiniteDuration scalaTick;
  private final int stalledTicks;
  private final int goodbyeStalledTicks;

  ConnectionStage(ConnectionSettings settings) {
    this.settings = settings;
    Duration tenth = settings.slowReaderTimeout().dividedBy(10);
    this.tick =
        tenth.compareTo(MIN_TICK) < 0 ? MIN_TICK : tenth.compareTo(MAX_TICK) > 0 ? MAX_TICK : tenth;
    this.scalaTick = DurationConverters.toScala(tick);
    this.stalledTicks = ticks(stallLimit(settings, false).toNanos());
    this.goodbyeStalledTicks = ticks(stallLimit(settings, true).toNanos());
  }

  /** How long a reader may take nothing while output waits: shorter once it is saying goodbye. */
  static Duration stallLimit(ConnectionSettings settings, boolean closing) {
    Duration timeout = settings.slowReaderTimeout();
    return closing && GOODBYE_STALL.compareTo(timeout) < 0 ? GOODBYE_STALL : timeout;
  }

  private int ticks(long nanos) {
    return (int) Math.max(1, (nanos + tick.toNanos() - 1) / tick.toNanos());
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

  /** The handle's calls that carry nothing, and the slow-reader clock's tick. */
  private enum Call {
    ACK,
    CLOSE,
    ABORT,
    ACTOR_STOPPED,
    TICK
  }

  private record Start(ActorRef<ConnectionActor.Command> actor) {}

  private record Deliver(ByteString bytes, Outbox.Confirmation confirmation) {}

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
    private final Outbox outbox = new Outbox(settings.outboundHighWaterBytes());
    private boolean outputEnded;
    private boolean written;
    private int ticksWithoutWrite;

    /** The slow-reader clock while bytes wait; a scheduler task rather than a timer map. */
    private Cancellable clock;

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
          void deliver(ByteString bytes, Outbox.Confirmation confirmation) {
            fromActor.invoke(new Deliver(bytes, confirmation));
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
              pushQueued();
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              endOutput(); // the client's socket is gone; its input may still hold lines
            }
          });
    }

    @Override
    public void preStart() {
      setKeepGoing(true); // an ended input waits for the actor's last ack
    }

    private void onActorCall(Object call) {
      if (call instanceof ByteString bytes) {
        onWrite(bytes, null);
      } else if (call instanceof Deliver d) {
        onWrite(d.bytes(), d.confirmation());
      } else if (call == Call.TICK) {
        onTick();
      } else if (call == Call.ACK) {
        awaitingAck = false;
        resumeInput();
      } else if (call instanceof Start start) {
        onStart(start.actor());
      } else if (call == Call.CLOSE) {
        outbox.close();
        if (!outbox.hasBytes()) finishOutput();
      } else if (call == Call.ABORT) {
        if (!outputEnded) fail(out, new ConnectionStream.SlowReaderException());
        endOutput();
      } else {
        // the actor is gone: nothing will ack or write any more
        if (!outputEnded) fail(out, new ConnectionStream.SlowReaderException());
        outbox.discard();
        completeStage();
      }
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

    // ------------------------------------------------------------------ input

    private void onFrames(List<Frame> frames) {
      if (!frames.isEmpty()) {
        if (batch == null) batch = new ArrayList<>(frames);
        else batch.addAll(frames);
        for (Frame f : frames) {
          batchWeight += f instanceof Frame.Line l ? 64 + l.text().length() : 64;
        }
      }
      resumeInput();
    }

    /** Sends the next batch if it may, and reads on while the next one has room. */
    private void resumeInput() {
      if (awaitingAck || outbox.isOverHighWater()) {
        if (batchWeight < settings.inboundBatchBytes()) pullIfIdle();
        return;
      }
      if (batch != null) {
        tell(new ConnectionStream.Inbound(batch));
        batch = null;
        batchWeight = 0;
        awaitingAck = true;
      }
      if (inputEnded) tellInputEnded();
      else pullIfIdle();
    }

    private void pullIfIdle() {
      if (!hasBeenPulled(in) && !isClosed(in)) pull(in);
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

    // ------------------------------------------------------------------ output

    private void onWrite(ByteString bytes, Outbox.Confirmation confirmation) {
      if (outputEnded) {
        if (confirmation != null) confirmation.send();
        return;
      }
      outbox.offer(bytes);
      if (isAvailable(out)) pushQueued();
      else if (clock == null) startClock();
      if (confirmation != null) outbox.confirm(confirmation);
    }

    private void pushQueued() {
      if (!outbox.hasBytes() || outputEnded) return;
      push(out, outbox.take());
      written = true;
      if (outbox.isClosing()) finishOutput();
      else if (batch != null || inputEnded) resumeInput(); // the input waited on the mark
    }

    private void startClock() {
      clock =
          materializer()
              .scheduleWithFixedDelay(scalaTick, scalaTick, () -> fromActor.invoke(Call.TICK));
    }

    private void stopClock() {
      if (clock != null) clock.cancel();
      clock = null;
      ticksWithoutWrite = 0;
    }

    private void onTick() {
      if (clock == null) return; // a tick already on its way when the clock stopped
      if (!outbox.hasBytes()) {
        stopClock();
      } else if (written) {
        ticksWithoutWrite = 0;
      } else if (++ticksWithoutWrite >= (outbox.isClosing() ? goodbyeStalledTicks : stalledTicks)) {
        stopClock();
        tell(ConnectionStream.OutputStalled.INSTANCE);
      }
      written = false;
    }

    @Override
    public void postStop() {
      stopClock();
    }

    private void finishOutput() {
      if (outputEnded) return;
      complete(out);
      endOutput();
    }

    private void endOutput() {
      if (outputEnded) return;
      outputEnded = true;
      outbox.discard();
      stopClock();
      tell(ConnectionStream.OutboundEnded.INSTANCE);
      if (endTold) completeStage();
      else if (batch != null || inputEnded) resumeInput(); // the input waited on the mark
    }
  }
}
