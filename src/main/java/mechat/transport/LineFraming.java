package mechat.transport;

import java.util.List;
import mechat.protocol.Frame;
import mechat.protocol.LineDecoder;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Cuts a client's byte stream into LF-terminated lines (§1): each read becomes the list of frames
 * it completes, by a {@link LineDecoder} of its own per connection. A reset from the client ends
 * the input like a close, so the lines already read are still handled (§7). One stage where a
 * {@code map} and an {@code onErrorComplete} would be two: every stage costs each connection
 * memory, and this one is built once per listener.
 */
final class LineFraming extends GraphStage<FlowShape<ByteString, List<Frame>>> {
  private final Inlet<ByteString> in = Inlet.create("LineFraming.in");
  private final Outlet<List<Frame>> out = Outlet.create("LineFraming.out");
  private final FlowShape<ByteString, List<Frame>> shape = FlowShape.of(in, out);
  private final int maxLineBytes;

  LineFraming(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
  }

  @Override
  public FlowShape<ByteString, List<Frame>> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    LineDecoder decoder = new LineDecoder(maxLineBytes);
    return new GraphStageLogic(shape) {
      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                push(out, decoder.decode(grab(in)));
              }

              @Override
              public void onUpstreamFailure(Throwable failure) {
                completeStage();
              }
            });
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(in);
              }
            });
      }
    };
  }
}
