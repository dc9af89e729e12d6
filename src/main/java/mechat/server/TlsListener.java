package mechat.server;

import java.nio.file.Path;
import java.time.Duration;
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
 * <p>Closing mirrors the plain listener's: when the server ends its output ({@code bye}, {@code
 * timeout}, {@code server full}, {@code server shutting down}) the client gets all of it, then
 * close_notify, and the socket is closed at once, whether or not the client answers. A client's
 * close_notify, FIN or reset ends its input, so it has left (§7) after every line it sent before.
 * A failed handshake (plain text on this port, say) is one INFO line, never a stack trace.
 *
 * <p>Pekko's TLS stage needs three things for that, so the listener joins a plain {@code
 * Tcp.bind} (half-close off, as the plain listener) with {@code TLS.create} itself instead of
 * calling {@code Tcp.bindWithTls}: {@link TLSClosing#eagerClose()}; a {@link FullCloseEngine}, so
 * that the stage does not wait for the client's close_notify; and a {@link DrainAfterCancel} on
 * each side of it. The one towards the connection actor keeps the actor's stopping from cutting
 * off output the stage has not encrypted yet; the one towards TCP keeps the connection counted
 * until its socket is closed, which the shutdown waits for ({@link #allClosed()}) before the actor
 * system stops, since a TLS connection's last bytes outlive its actor.
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
        .bind(host, port, backlog, options, false, Optional.empty())
        .map(this::secured);
  }

  /** Completes once every connection's socket is closed, after its last bytes. */
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
        tcp.flow()
            .watchTermination(this::counted)
            .via(new DrainAfterCancel(CLOSE_LINGER)); // so TCP's own end is seen: socket closed
    String address = ServerGuardian.format(tcp.remoteAddress());
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
