package mechat.web;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Consumer;
import mechat.chat.ConnectionStream;
import mechat.protocol.Frame;
import mechat.protocol.LineEncoder;
import mechat.transport.IncomingClient;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.stream.javadsl.AsPublisher;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * A browser on a WebSocket at {@code /chat} (§10), as an {@link IncomingClient} like a TCP one: its
 * messages are frames ({@link InboundMessages}), and the lines the server writes become messages
 * ({@link OutboundLines}).
 *
 * <p>The HTTP route must hand Pekko the connection's flow at once, while the server decides about
 * the client later. So the flow's two ends wait: the client's frames pile up in a publisher that
 * holds them back (TCP flow control does the rest) and the output waits in a subscriber, until the
 * guardian either connects the client (the connection's stream then runs between the two, and no
 * frame is lost) or refuses it (its notice goes out, its input is drained). The guardian hears of
 * the client only once Pekko runs the flow, so a flow built and never run never counts.
 */
final class WebSocketClient implements IncomingClient {
  private final InetSocketAddress remoteAddress;
  private final Publisher<List<Frame>> input;
  private final Subscriber<ByteString> output;
  private final ClassicActorSystemProvider system;

  private WebSocketClient(
      InetSocketAddress remoteAddress,
      Publisher<List<Frame>> input,
      Subscriber<ByteString> output,
      ClassicActorSystemProvider system) {
    this.remoteAddress = remoteAddress;
    this.input = input;
    this.output = output;
    this.system = system;
  }

  /**
   * The flow of one upgraded connection from {@code remoteAddress}; once Pekko runs it, the client
   * is handed to {@code accepted}.
   */
  static Flow<Message, OutboundLines.Out, NotUsed> flow(
      InetSocketAddress remoteAddress,
      int maxLineBytes,
      ClassicActorSystemProvider system,
      Consumer<IncomingClient> accepted) {
    Sink<Message, Publisher<List<Frame>>> in =
        Flow.<Message>create()
            .onErrorComplete() // a reset, or 1007 for text that is not UTF-8: the client left
            .via(InboundMessages.flow(maxLineBytes))
            .map(List::of)
            .toMat(Sink.asPublisher(AsPublisher.WITHOUT_FANOUT), Keep.right());
    Source<OutboundLines.Out, Subscriber<ByteString>> out =
        Source.<ByteString>asSubscriber().via(OutboundLines.flow());
    return Flow.fromSinkAndSourceMat(
        in,
        out,
        (frames, bytes) -> {
          accepted.accept(new WebSocketClient(remoteAddress, frames, bytes, system));
          return NotUsed.notUsed();
        });
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return remoteAddress;
  }

  @Override
  public String transport() {
    return WEBSOCKET;
  }

  @Override
  public ConnectionStream.Handle connect(
      Flow<List<Frame>, ByteString, ConnectionStream.Handle> stream) {
    return Source.fromPublisher(input)
        .viaMat(stream, Keep.right())
        .to(Sink.fromSubscriber(output))
        .run(system);
  }

  @Override
  public void refuse(String notice) {
    Source.fromPublisher(input).runWith(Sink.ignore(), system);
    Source.single(LineEncoder.notice(notice)).runWith(Sink.fromSubscriber(output), system);
  }
}
