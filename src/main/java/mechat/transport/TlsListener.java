package mechat.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLS;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS listener of protocol §9: every accepted connection runs the same line protocol inside TLS
 * 1.3 or 1.2 and becomes an {@link IncomingClient} like a plain one (same matchmaker, same limits);
 * the server's {@code SSLContext} is made once, at start.
 *
 * <p>Closing mirrors the plain listener's: when the server ends its output ({@code bye}, {@code
 * timeout}, {@code server full}, {@code server shutting down}) the client gets all of it, then
 * close_notify, and the socket is closed at once, whether or not the client answers. A client's
 * close_notify, FIN or reset ends its input, so it has left (§7) after every line it sent before. A
 * failed handshake (plain text on this port, say) is one INFO line, never a stack trace.
 *
 * <p>Pekko's TLS stage needs three things for that, so the listener joins a plain {@code Tcp.bind}
 * (half-close off, as the plain listener) with {@code TLS.create} itself instead of calling {@code
 * Tcp.bindWithTls}: {@link TLSClosing#eagerClose()}; a {@link FullCloseEngine}, so that the stage
 * does not wait for the client's close_notify; and a {@link DrainAfterCancel} on each side of it.
 * The one towards the connection actor keeps the actor's stopping from cutting off output the stage
 * has not encrypted yet; the one towards TCP keeps the connection counted until its socket is
 * closed, which the shutdown waits for ({@link #allClosed()}) before the actor system stops, since
 * a TLS connection's last bytes outlive its actor.
 */
public final class TlsListener {
  private static final Logger log = LoggerFactory.getLogger(TlsListener.class);

  /**
   * How long a connection whose actor has stopped may take to finish its handshake and output
   * before it is closed anyway (a client that never completes the handshake).
   */
  private static final Duration CLOSE_LINGER = Duration.ofSeconds(3);

  private final SSLContext context;
  private int open;
  private final List<CompletableFuture<Done>> closedWaiters = new ArrayList<>();

  public TlsListener(SSLContext context) {
    this.context = context;
  }

  /** Binds the port; each connection carries plain lines to the protocol, as a TCP one does. */
  public Source<IncomingClient, CompletionStage<Tcp.ServerBinding>> bind(
      ActorSystem<?> system, String host, int port, int maxLineBytes) {
    LineFraming framing = new LineFraming(maxLineBytes);
    return TcpListener.accept(system, host, port)
        .map(tcp -> new TcpClient(secured(tcp), IncomingClient.TLS, framing, system));
  }

  /** Completes once every connection's socket is closed, after its last bytes. */
  public synchronized CompletionStage<Done> allClosed() {
    CompletableFuture<Done> closed = new CompletableFuture<>();
    closedWaiters.add(closed);
    if (open == 0) notifyClosed();
    return closed;
  }

  private Tcp.IncomingConnection secured(Tcp.IncomingConnection tcp) {
    BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> tls =
        BidiFlow.fromFlows(
                Flow.of(ByteString.class)
                    .<TLSProtocol.SslTlsOutbound>map(TLSProtocol.SendBytes::new),
                Flow.of(TLSProtocol.SslTlsInbound.class)
                    .collectType(TLSProtocol.SessionBytes.class)
                    .map(TLSProtocol.SessionBytes::bytes))
            .atop(
                TLS.create(
                    () -> new FullCloseEngine(TlsContexts.serverEngine(context)),
                    TLSClosing.eagerClose()));
    Flow<ByteString, ByteString, NotUsed> encrypted =
        tcp.flow()
            .watchTermination(this::counted)
            .via(new DrainAfterCancel(CLOSE_LINGER)); // so TCP's own end is seen: socket closed
    String address = IncomingClient.format(tcp.remoteAddress());
    Flow<ByteString, ByteString, NotUsed> plain =
        tls.join(encrypted)
            .via(
                Flow.of(ByteString.class)
                    .watchTermination(
                        (notUsed, done) -> {
                          done.whenComplete((d, failure) -> logFailure(address, failure));
                          return NotUsed.notUsed();
                        }))
            .via(new DrainAfterCancel(CLOSE_LINGER));
    return new Tcp.IncomingConnection(
        new org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection(
            tcp.localAddress(), tcp.remoteAddress(), plain.asScala()));
  }

  /** Counts a materialised connection until its socket is closed. */
  private NotUsed counted(NotUsed notUsed, CompletionStage<Done> done) {
    synchronized (this) {
      open++;
    }
    done.whenComplete((d, failure) -> closedOne());
    return NotUsed.notUsed();
  }

  private synchronized void closedOne() {
    open--;
    if (open == 0) notifyClosed();
  }

  private void notifyClosed() {
    closedWaiters.forEach(w -> w.complete(Done.getInstance()));
    closedWaiters.clear();
  }

  private static void logFailure(String address, Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        log.info("TLS with {} failed: {}", address, t.getMessage());
        return;
      }
    }
  }
}
