package mechat.transport;

import java.net.InetSocketAddress;
import java.util.List;
import mechat.chat.ConnectionStream;
import mechat.protocol.Frame;
import mechat.protocol.LineDecoder;
import mechat.protocol.LineEncoder;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * A client on a TCP connection, plain or inside TLS: its bytes are cut into LF-terminated lines by
 * a {@link LineDecoder} (§1), one list of frames per read. A reset from the client ends the input
 * like a close, so the lines already read are still handled.
 */
record TcpClient(
    Tcp.IncomingConnection tcp,
    String transport,
    int maxLineBytes,
    ClassicActorSystemProvider system)
    implements IncomingClient {

  @Override
  public InetSocketAddress remoteAddress() {
    return tcp.remoteAddress();
  }

  @Override
  public ConnectionStream.Ends connect(
      Flow<List<Frame>, ByteString, ConnectionStream.Ends> stream) {
    LineDecoder decoder = new LineDecoder(maxLineBytes);
    return tcp.handleWith(
        Flow.of(ByteString.class)
            .onErrorComplete()
            .map(decoder::decode)
            .viaMat(stream, Keep.right()),
        system);
  }

  @Override
  public void refuse(String notice) {
    tcp.handleWith(
        Flow.fromSinkAndSource(Sink.ignore(), Source.single(LineEncoder.notice(notice))), system);
  }
}
