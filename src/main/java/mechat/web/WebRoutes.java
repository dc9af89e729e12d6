package mechat.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.extractWebSocketUpgrade;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;
import mechat.transport.IncomingClient;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.http.javadsl.settings.WebSocketSettings;

/**
 * Every route of the HTTP listener (§10): the page ({@link Page}), the WebSocket at {@code /chat}
 * (after the {@link OriginRule}), {@code /health} and {@code /metrics}.
 */
public final class WebRoutes {
  /** The Prometheus text exposition format, version 0.0.4 (what the registry writes). */
  static final ContentType PROMETHEUS =
      ContentTypes.parse("text/plain; version=0.0.4; charset=UTF-8");

  private static final List<HttpHeader> NO_STORE =
      List.of(RawHeader.create("Cache-Control", "no-store"));

  /**
   * What the routes need from the server: where new clients go, the health to report, the metrics
   * to expose (fresh for each scrape), and a count of upgrades refused for their origin.
   */
  public record Server(
      Consumer<IncomingClient> accept,
      Health health,
      Supplier<CompletionStage<String>> metrics,
      Runnable originRefused) {}

  private final ActorSystem<?> system;
  private final int maxLineBytes;
  private final OriginRule origins;
  private final WebSocketSettings webSocketSettings;
  private final LoggingAdapter log;
  private final Server server;

  private WebRoutes(ActorSystem<?> system, HttpSettings settings, int maxLineBytes, Server server) {
    this.system = system;
    this.maxLineBytes = maxLineBytes;
    this.origins = new OriginRule(settings.allowedOrigins());
    this.webSocketSettings =
        CloseCodeHook.withPings(
            ServerSettings.create(system.classicSystem()).getWebsocketSettings(),
            settings.pingInterval());
    this.log = system.classicSystem().log();
    this.server = server;
  }

  /** The routes; {@code maxLineBytes} is the line limit of §1, for WebSocket messages. */
  public static Route create(
      ActorSystem<?> system, HttpSettings settings, int maxLineBytes, Server server) {
    return new WebRoutes(system, settings, maxLineBytes, server).routes();
  }

  private Route routes() {
    return concat(
        Page.route(),
        path("chat", () -> get(() -> extractWebSocketUpgrade(this::chat))),
        path("health", () -> get(() -> respondWithHeaders(NO_STORE, this::health))),
        path("metrics", () -> get(() -> respondWithHeaders(NO_STORE, this::metrics))));
  }

  private Route chat(org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade upgrade) {
    return extractRequest(
        request -> {
          if (!origins.allows(request)) {
            server.originRefused().run();
            return complete(StatusCodes.FORBIDDEN, "origin not allowed");
          }
          return complete(
              CloseCodeHook.handle(
                  upgrade,
                  webSocketSettings,
                  log,
                  WebSocketClient.flow(
                      remoteAddress(request), maxLineBytes, system, server.accept())));
        });
  }

  private Route health() {
    return extractRequest(
        request ->
            server
                .health()
                .unavailable()
                .<Route>map(why -> complete(StatusCodes.SERVICE_UNAVAILABLE, why))
                .orElseGet(() -> complete("ok")));
  }

  private Route metrics() {
    return onSuccess(
        server.metrics(),
        text ->
            complete(
                HttpResponse.create()
                    .withEntity(
                        HttpEntities.create(PROMETHEUS, text.getBytes(StandardCharsets.UTF_8)))));
  }

  /** The peer of the TCP connection (never a forwarding header, which the client can forge). */
  private static InetSocketAddress remoteAddress(HttpRequest request) {
    return request
        .getAttribute(AttributeKeys.remoteAddress)
        .flatMap(WebRoutes::socketAddress)
        .orElseGet(() -> new InetSocketAddress("0.0.0.0", 0)); // only if the attribute is off
  }

  private static java.util.Optional<InetSocketAddress> socketAddress(RemoteAddress remote) {
    return remote.getAddress().map(a -> new InetSocketAddress(a, Math.max(0, remote.getPort())));
  }
}
