package mechat.transport;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BindFailedException;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.impl.io.IncomingConnectionStage;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageLogic.StageActor;
import org.apache.pekko.util.ByteString;
import scala.Tuple2;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;

/**
 * Pekko's {@code Tcp.bind}, but asking the listener for a batch of connections per round trip.
 *
 * <p>{@code Tcp.bind} accepts one connection per demand and waits for it: a round trip over five
 * actor hops between the selector and the stream for every client, which held a burst of
 * reconnecting clients to about a thousand a second however idle the server was (see
 * docs/benchmarks.md). This stage binds the same way (pull mode, the same listener actor), but
 * resumes accepting {@code batch} connections at a time and queues at most that many. Connections
 * of one batch may come out in any order (each registers with the selector on its own), as they may
 * from several listening sockets. Each connection's flow is Pekko's own {@code
 * IncomingConnectionStage}, as {@code Tcp.bind} builds it; that class is internal to Pekko Streams,
 * so this stage is pinned to the Pekko version of the build (the whole end-to-end suite runs
 * through it).
 */
final class BindStage
    extends AbstractGraphStageWithMaterializedValue<
        SourceShape<org.apache.pekko.stream.javadsl.Tcp.IncomingConnection>,
        CompletionStage<org.apache.pekko.stream.javadsl.Tcp.ServerBinding>> {
  private final Outlet<org.apache.pekko.stream.javadsl.Tcp.IncomingConnection> out =
      Outlet.create("BindStage.out");
  private final SourceShape<org.apache.pekko.stream.javadsl.Tcp.IncomingConnection> shape =
      SourceShape.of(out);
  private final ActorRef tcpManager;
  private final InetSocketAddress endpoint;
  private final int backlog;
  private final List<Inet.SocketOption> options;
  private final int batch;

  BindStage(
      ActorSystem system,
      InetSocketAddress endpoint,
      int backlog,
      List<Inet.SocketOption> options,
      int batch) {
    this.tcpManager = Tcp.get(system).manager();
    this.endpoint = endpoint;
    this.backlog = backlog;
    this.options = options;
    this.batch = batch;
  }

  @Override
  public SourceShape<org.apache.pekko.stream.javadsl.Tcp.IncomingConnection> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, CompletionStage<org.apache.pekko.stream.javadsl.Tcp.ServerBinding>>
      createLogicAndMaterializedValuePair(Attributes attributes) {
    Logic logic = new Logic();
    return Pair.create(logic, logic.binding);
  }

  private final class Logic extends GraphStageLogic {
    final CompletableFuture<org.apache.pekko.stream.javadsl.Tcp.ServerBinding> binding =
        new CompletableFuture<>();
    private final CompletableFuture<BoxedUnit> unbound = new CompletableFuture<>();
    private final ArrayDeque<org.apache.pekko.stream.javadsl.Tcp.IncomingConnection> accepted =
        new ArrayDeque<>();
    private StageActor stageActor;
    private ActorRef self;
    private ActorRef listener;

    /** Connections the listener may still accept from the last ResumeAccepting. */
    private int outstanding;

    private boolean unbinding;

    Logic() {
      super(shape);
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              if (!accepted.isEmpty()) push(out, accepted.poll());
              resumeIfDrained();
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              unbind();
            }
          });
    }

    @Override
    public void preStart() {
      stageActor = getStageActor(this::receive);
      self = stageActor.ref();
      tcpManager.tell(TcpMessage.bind(self, endpoint, backlog, options, true), self);
    }

    private BoxedUnit receive(Tuple2<ActorRef, Object> event) {
      ActorRef sender = event._1();
      Object message = event._2();
      if (message instanceof Tcp.Bound bound) {
        onBound(sender, bound.localAddress());
      } else if (message instanceof Tcp.Connected connected) {
        outstanding--;
        accepted.add(connection(connected, sender));
        if (isAvailable(out)) push(out, accepted.poll());
        resumeIfDrained();
      } else if (message instanceof Tcp.CommandFailed failed) {
        BindFailedException e = new BindFailedException();
        failed.cause().foreach(c -> e.initCause(c));
        binding.completeExceptionally(e);
        unbound.completeExceptionally(e);
        failStage(e);
      } else if (message == Unbind.INSTANCE) {
        unbind();
      } else if (message == Tcp.Unbound$.MODULE$) {
        unbound.complete(BoxedUnit.UNIT);
        completeStage();
      } else if (message instanceof Terminated t && t.actor().equals(listener)) {
        IllegalStateException e = new IllegalStateException("the TCP listener stopped");
        if (unbinding) unbound.complete(BoxedUnit.UNIT);
        else unbound.completeExceptionally(e);
        if (unbinding) completeStage();
        else failStage(e);
      }
      return BoxedUnit.UNIT;
    }

    private void onBound(ActorRef boundListener, InetSocketAddress local) {
      listener = boundListener;
      stageActor.watch(listener);
      resumeIfDrained();
      ActorRef stage = self;
      binding.complete(
          new org.apache.pekko.stream.javadsl.Tcp.ServerBinding(
              new org.apache.pekko.stream.scaladsl.Tcp.ServerBinding(
                  local,
                  () -> {
                    stage.tell(Unbind.INSTANCE, stage);
                    return FutureConverters.asScala(unbound);
                  },
                  FutureConverters.asScala(unbound.thenApply(u -> Done.getInstance())))));
    }

    /** Asks for the next batch once the last one is taken and handed on. */
    private void resumeIfDrained() {
      if (listener == null || unbinding || outstanding > 0 || !accepted.isEmpty()) return;
      outstanding = batch;
      listener.tell(TcpMessage.resumeAccepting(batch), self);
    }

    private org.apache.pekko.stream.javadsl.Tcp.IncomingConnection connection(
        Tcp.Connected connected, ActorRef connection) {
      Flow<ByteString, ByteString, NotUsed> flow =
          Flow.fromGraph(
                  new IncomingConnectionStage(
                      connection, connected.remoteAddress(), false, () -> BoxedUnit.UNIT))
              .detach() // read ahead, as Tcp.bind's flow does, for proper completions
              .mapMaterializedValue(m -> NotUsed.getInstance());
      return new org.apache.pekko.stream.javadsl.Tcp.IncomingConnection(
          new org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection(
              connected.localAddress(), connected.remoteAddress(), flow.asScala()));
    }

    private void unbind() {
      if (listener != null && !unbinding) {
        unbinding = true;
        setKeepGoing(true);
        listener.tell(TcpMessage.unbind(), self);
      } else if (listener == null) {
        completeStage();
      }
    }

    @Override
    public void postStop() {
      unbound.complete(BoxedUnit.UNIT);
      binding.completeExceptionally(
          new java.util.NoSuchElementException("unbound before the binding was complete"));
    }
  }

  /** The binding's unbind(), delivered to the stage. */
  private enum Unbind {
    INSTANCE
  }
}
