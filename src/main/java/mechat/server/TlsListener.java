package mechat.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import mechat.tls.TlsContexts;
import mechat.tls.TlsContexts.TlsSetupException;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.io.Inet;
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
 * The TLS listener of protocol §9: the keystore is loaded once at start, and every accepted
 * connection runs the same line protocol inside TLS 1.3 or 1.2, handed to the {@link
 * ServerGuardian} like a plain one (same matchmaker, same limits).
 *
 * <p>Closing is {@link TLSClosing#eagerClose()} with a {@link FullCloseEngine}: when the server
 * ends its output (after {@code bye}, {@code timeout}, {@code server full}, {@code server shutting
 * down}, or when the connection's actor stops) it sends close_notify and closes the socket, as the
 * plain listener closes after its last line, whether or not the client answers. A client's
 * close_notify, FIN or reset ends its input, so the client has left (§7) after every line it sent
 * before. A failed handshake (say, plain text on this port) is one INFO line, never a stack trace.
 *
 * <p>This is what {@code Tcp.bindWithTls} builds (a half-close TCP binding joined with the TLS
 * stage), assembled here so that the encrypted side can be watched: a connection actor is done
 * once its last bytes reach the TLS stage, one hop before they reach TCP, so the shutdown waits
 * for {@link #allClosed()} before the actor system stops, or a TLS client could lose its {@code
 * server shutting down}.
 */
public final class TlsListener {
  private static final Logger log = LoggerFactory.getLogger(TlsListener.class);

  private final SSLContext context;
  private int open;
  private final List<CompletableFuture<Done>> closedWaiters = new ArrayList<>();

  TlsListener(SSLContext context) {
    this.context = context;
  }

  /**
   * The server's TLS context, if the settings ask for a TLS listener: the keystore's password is
   * read from the environment variable the settings name.
   */
  public static Optional<SSLContext> load(
      ServerSettings settings, Function<String, String> environment) throws TlsSetupException {
    if (settings.tls().isEmpty()) return Optional.empty();
    ServerSettings.Tls tls = settings.tls().get();
    String password = environment.apply(tls.passwordEnv());
    if (password == null) {
      throw new TlsSetupException(
          "environment variable "
              + tls.passwordEnv()
              + " is not set: it must hold the keystore's password (--tls-keystore-password-env)");
    }
    return Optional.of(TlsContexts.server(Path.of(tls.keystore()), password.toCharArray()));
  }

  /** Binds the port; each connection is a plain-text flow to the protocol, as Tcp.bind's are. */
  Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
      ActorSystem<?> system, String host, int port, int backlog, List<Inet.SocketOption> options) {
    return Tcp.get(system)
        .bind(host, port, backlog, options, true, Optional.empty())
        .map(this::secured);
  }

  /** Completes once every connection's TLS stage has handed its last bytes to TCP. */
  synchronized CompletionStage<Done> allClosed() {
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
        Flow.of(ByteString.class).watchTermination(this::counted).via(tcp.flow());
    String address = ServerGuardian.format(tcp.remoteAddress());
    Flow<ByteString, ByteString, NotUsed> plain =
        tls.join(encrypted)
            .via(
                Flow.of(ByteString.class)
                    .watchTermination(
                        (notUsed, done) -> {
                          done.whenComplete((d, failure) -> logFailure(address, failure));
                          return NotUsed.notUsed();
                        }));
    return new Tcp.IncomingConnection(
        new org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection(
            tcp.localAddress(), tcp.remoteAddress(), plain.asScala()));
  }

  /** Counts a materialised connection until the TLS stage's output to TCP has ended. */
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
