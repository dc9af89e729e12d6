package mechat.transport;

import java.net.InetSocketAddress;
import java.util.List;
import mechat.chat.ConnectionStream;
import mechat.protocol.Frame;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * A client that a listener has accepted, whatever carries it (TCP, TLS): where it comes from, and
 * how to give it a connection's stream or refuse it with a notice.
 */
public interface IncomingClient {

  InetSocketAddress remoteAddress();

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
