package mechat.web;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;
import mechat.transport.TlsContexts;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import scala.concurrent.duration.FiniteDuration;

/**
 * Binds the HTTP listener of §10, plain or, given the TLS listener's context (§9), HTTPS with TLS
 * 1.3 and 1.2 only. Three of Pekko HTTP's server settings are set here, whatever the configuration
 * says: the peer's address is kept with each request (for the per-address limit); the idle timeout
 * is longer than the slow-reader timeout and two pings (so that it never cuts a waiting browser,
 * nor a stuck reader before the slow-reader rule does); and Pekko accepts more connections than the
 * server's limit (so that the server, not a full accept queue, answers {@code server full}).
 */
public final class HttpListener {
  /** Room above the connection limit for page loads, probes and clients being refused. */
  static final int CONNECTION_HEADROOM = 1024;

  private HttpListener() {}

  public static CompletionStage<ServerBinding> bind(
      ActorSystem<?> system,
      String host,
      int port,
      Optional<SSLContext> tls,
      Route routes,
      HttpSettings http,
      int maxConnections,
      Duration slowReaderTimeout) {
    ServerBuilder builder =
        Http.get(system)
            .newServerAt(host, port)
            .withSettings(settings(system, http, maxConnections, slowReaderTimeout));
    if (tls.isPresent()) {
      SSLContext context = tls.get();
      builder =
          builder.enableHttps(
              ConnectionContext.httpsServer(() -> TlsContexts.serverEngine(context)));
    }
    return builder.bind(routes);
  }

  private static ServerSettings settings(
      ActorSystem<?> system, HttpSettings http, int maxConnections, Duration slowReaderTimeout) {
    ServerSettings base = ServerSettings.create(system.classicSystem());
    Duration idle = idleTimeout(base, http.pingInterval(), slowReaderTimeout);
    return base.withRemoteAddressAttribute(true)
        .withMaxConnections(
            Math.max(base.getMaxConnections(), maxConnections + CONNECTION_HEADROOM))
        .withTimeouts(base.getTimeouts().withIdleTimeout(FiniteDuration.fromNanos(idle.toNanos())));
  }

  /** The configured idle timeout, raised past the slow-reader timeout and two ping intervals. */
  static Duration idleTimeout(ServerSettings base, Duration ping, Duration slowReader) {
    scala.concurrent.duration.Duration configured = base.getTimeouts().idleTimeout();
    Duration floor = max(slowReader.plus(ping), ping.multipliedBy(2));
    if (!configured.isFinite()) return floor;
    return max(Duration.ofNanos(configured.toNanos()), floor);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
