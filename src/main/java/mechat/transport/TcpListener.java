package mechat.transport;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * The plain TCP listener of protocol §1: every accepted socket, with keepalive on (a vanished peer
 * is eventually noticed) and Nagle off (lines go out at once), becomes an {@link IncomingClient}.
 * Half-close is off: a client's FIN means it has left (§7).
 */
public final class TcpListener {
  static final int BACKLOG = 1024;
  static final List<Inet.SocketOption> OPTIONS =
      List.of(TcpSO.tcpNoDelay(true), TcpSO.keepAlive(true));

  private TcpListener() {}

  public static Source<IncomingClient, CompletionStage<Tcp.ServerBinding>> bind(
      ActorSystem<?> system, String host, int port, int maxLineBytes) {
    return Tcp.get(system)
        .bind(host, port, BACKLOG, OPTIONS, false, Optional.empty())
        .map(tcp -> new TcpClient(tcp, IncomingClient.TCP, maxLineBytes, system));
  }
}
