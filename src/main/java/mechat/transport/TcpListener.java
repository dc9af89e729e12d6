package mechat.transport;

import java.net.InetSocketAddress;
import java.util.List;
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

  /** Connections accepted per round trip to the listener actor (see BindStage). */
  static final int BATCH = 64;

  static final List<Inet.SocketOption> OPTIONS =
      List.of(TcpSO.tcpNoDelay(true), TcpSO.keepAlive(true));

  private TcpListener() {}

  public static Source<IncomingClient, CompletionStage<Tcp.ServerBinding>> bind(
      ActorSystem<?> system, String host, int port, int maxLineBytes) {
    LineFraming framing = new LineFraming(maxLineBytes);
    return accept(system, host, port)
        .map(tcp -> new TcpClient(tcp, IncomingClient.TCP, framing, system));
  }

  /** Accepted TCP connections, {@link #BATCH} per round trip to Pekko's listener actor. */
  static Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> accept(
      ActorSystem<?> system, String host, int port) {
    return Source.fromGraph(
        new BindStage(
            system.classicSystem(), new InetSocketAddress(host, port), BACKLOG, OPTIONS, BATCH));
  }
}
