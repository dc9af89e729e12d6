package mechat.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import mechat.tls.TlsContexts;
import mechat.tls.TlsContexts.TlsSetupException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
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
 * down}, or when the connection's actor stops) it sends close_notify and closes the socket at
 * once, as the plain listener closes after its last line, whether or not the client answers. A
 * client's close_notify, FIN or reset ends its input, so the client has left (§7) after every
 * line it sent before. A failed handshake (say, plain text on this port) is one INFO line, never
 * a stack trace.
 */
public final class TlsListener {
  private static final Logger log = LoggerFactory.getLogger(TlsListener.class);

  private TlsListener() {}

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

  /** Binds the TLS port; each connection is a plain-text flow to the protocol, like Tcp.bind's. */
  static Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
      ActorSystem<?> system,
      String host,
      int port,
      SSLContext context,
      int backlog,
      List<Inet.SocketOption> options) {
    return Tcp.get(system)
        .bindWithTls(
            host,
            port,
            () -> new FullCloseEngine(TlsContexts.serverEngine(context)),
            backlog,
            options,
            Optional.empty(),
            session -> Optional.empty(),
            TLSClosing.eagerClose())
        .map(TlsListener::reportingFailures);
  }

  /** The same connection, with a TLS failure on its input logged in one line. */
  private static Tcp.IncomingConnection reportingFailures(Tcp.IncomingConnection connection) {
    String address = ServerGuardian.format(connection.remoteAddress());
    Flow<ByteString, ByteString, NotUsed> flow =
        connection
            .flow()
            .via(
                Flow.of(ByteString.class)
                    .watchTermination(
                        (notUsed, done) -> {
                          done.whenComplete((d, failure) -> logFailure(address, failure));
                          return NotUsed.notUsed();
                        }));
    return new Tcp.IncomingConnection(
        new org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection(
            connection.localAddress(), connection.remoteAddress(), flow.asScala()));
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
