package mechat.transport;

import java.net.InetSocketAddress;
import java.util.List;
import mechat.chat.ConnectionStream;
import mechat.protocol.Frame;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * A client that a listener has accepted, whatever carries it (TCP, TLS, a WebSocket): where it
 * comes from, and how to give it a connection's stream or refuse it with a notice.
 */
public interface IncomingClient {
  /** The transports, as {@link #transport()} names them (and the metrics label them). */
  String TCP = "tcp";

  String TLS = "tls";
  String WEBSOCKET = "websocket";

  InetSocketAddress remoteAddress();

  /** What carries this client: {@link #TCP}, {@link #TLS} or {@link #WEBSOCKET}. */
  String transport();

  /** Runs a connection's stream over this client's connection; called at most once. */
  ConnectionStream.Handle connect(Flow<List<Frame>, ByteString, ConnectionStream.Handle> stream);

  /** Sends one notice ({@code server full}, say) and closes, ignoring what the client sends. */
  void refuse(String notice);

  /** {@code IP:PORT} of the client, for logs. */
  default String address() {
    return format(remoteAddress());
  }

  static String format(InetSocketAddress address) {
    return address.getAddress().getHostAddress() + ":" + address.getPort();
  }
}
