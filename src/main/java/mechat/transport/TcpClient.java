package mechat.transport;

import java.net.InetSocketAddress;
import java.util.List;
import mechat.chat.ConnectionStream;
import mechat.protocol.Frame;
import mechat.protocol.LineEncoder;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * A client on a TCP connection, plain or inside TLS ({@code transport} says which), whose bytes are
 * cut into lines by {@link LineFraming}.
 */
record TcpClient(
    Tcp.IncomingConnection tcp,
    String transport,
    LineFraming framing,
    ClassicActorSystemProvider system)
    implements IncomingClient {

  @Override
  public InetSocketAddress remoteAddress() {
    return tcp.remoteAddress();
  }

  @Override
  public ConnectionStream.Handle connect(
      Flow<List<Frame>, ByteString, ConnectionStream.Handle> stream) {
    return tcp.handleWith(Flow.fromGraph(framing).viaMat(stream, Keep.right()), system);
  }

  @Override
  public void refuse(String notice) {
    tcp.handleWith(
        Flow.fromSinkAndSource(Sink.ignore(), Source.single(LineEncoder.notice(notice))), system);
  }
}
