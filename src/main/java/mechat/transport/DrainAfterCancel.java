package mechat.transport;

import java.time.Duration;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Passes bytes on; when downstream cancels, it goes on reading and discarding until upstream ends,
 * for at most {@code linger}, and only then cancels upstream. {@link TlsListener} puts one on each
 * side of Pekko's TLS stage.
 *
 * <p>Towards the connection actor: the TLS stage answers a cancelled input with close_notify at
 * once, dropping output it has not encrypted yet (the {@code server shutting down} of a client
 * whose handshake it was still finishing, or the last lines and {@code bye} of one that reads
 * slowly), and an actor stops, cancelling its input, as soon as its last bytes are handed over.
 * Held back, the stage closes by itself once that output is out; the linger only ends a connection
 * whose handshake never completes. Towards TCP: the TLS stage cancels TCP's input as it finishes,
 * and holding that back lets the TCP stage's own end, once the socket is closed, be seen.
 */
final class DrainAfterCancel extends GraphStage<FlowShape<ByteString, ByteString>> {
  private final Inlet<ByteString> in = Inlet.create("DrainAfterCancel.in");
  private final Outlet<ByteString> out = Outlet.create("DrainAfterCancel.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final Duration linger;

  DrainAfterCancel(Duration linger) {
    this.linger = linger;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                ByteString bytes = grab(in);
                if (isClosed(out)) {
                  pull(in);
                } else {
                  push(out, bytes);
                }
              }
            });
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(in);
              }

              @Override
              public void onDownstreamFinish(Throwable cause) {
                if (!hasBeenPulled(in)) pull(in);
                scheduleOnce("linger", linger);
              }
            });
      }

      @Override
      public void onTimer(Object key) {
        completeStage();
      }
    };
  }
}
