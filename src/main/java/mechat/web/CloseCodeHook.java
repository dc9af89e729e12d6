package mechat.web;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.impl.engine.ws.WebSocket;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.settings.WebSocketSettings;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Runs an upgraded WebSocket so that the server chooses its Close code (§10: 1000, 1001, 1013) and
 * can drop a reader that does not read without any Close at all.
 *
 * <p>Pekko HTTP 1.3 has no public API for either: a handler whose output completes gets Close 1000,
 * one whose output fails gets 1011 and an ERROR log (akka/akka-http#2458 asks for one). So this
 * uses an INTERNAL hook, {@code UpgradeToWebSocketLowLevel.handleFrames} (Scala {@code
 * private[http]}, public in the bytecode; every upgrade Pekko hands out is one), with Pekko's own
 * stack, {@code WebSocket.stack}: exactly what {@code handleMessages} builds (masking, ping and
 * pong, the close handshake, 1002 and 1007, keep-alive pings). The one Close frame that stack sends
 * when the handler's output completes is rewritten to the code the handler asked for. This is tied
 * to pekko-http 1.3.0 (pinned in the pom); {@code WebSocketCloseIT} fails loudly if an upgrade
 * breaks it.
 */
final class CloseCodeHook {
  /** How long Pekko waits for the client's Close after sending its own (its default). */
  private static final FiniteDuration CLOSE_HANDSHAKE_TIMEOUT = FiniteDuration.apply(3, "s");

  private static final int CLOSE_OPCODE = 0x8;

  private CloseCodeHook() {}

  /** Thrown into the connection to drop it when the handler's output fails. */
  static final class DroppedException extends RuntimeException {
    DroppedException() {
      super("the server's output to this WebSocket failed: dropped", null, false, false);
    }
  }

  /**
   * The response that switches to the WebSocket and runs {@code handler}: it emits lines, then
   * possibly a {@link OutboundLines.Close} with the code to close with; when its output fails, the
   * TCP connection is dropped.
   */
  static HttpResponse handle(
      WebSocketUpgrade upgrade,
      WebSocketSettings settings,
      LoggingAdapter log,
      Flow<Message, OutboundLines.Out, NotUsed> handler) {
    SharedKillSwitch connection = KillSwitches.shared("websocket");
    AtomicInteger closeCode = new AtomicInteger(); // 0 until the handler asks for a Close
    Flow<
            org.apache.pekko.http.scaladsl.model.ws.Message,
            org.apache.pekko.http.scaladsl.model.ws.Message,
            NotUsed>
        user =
            Flow.<org.apache.pekko.http.scaladsl.model.ws.Message>create()
                .map(Message::adapt)
                .via(handler)
                .recoverWithRetries(
                    1,
                    Throwable.class,
                    () -> {
                      connection.abort(new DroppedException());
                      return Source.never(); // no Close from the stack: the abort ends it all
                    })
                .takeWhile(
                    out -> {
                      if (out instanceof OutboundLines.Close c) closeCode.set(c.code());
                      return out instanceof OutboundLines.Line;
                    })
                .map(out -> TextMessage.create(((OutboundLines.Line) out).text()).asScala());
    @SuppressWarnings("unchecked")
    org.apache.pekko.stream.scaladsl.Flow<FrameEvent, FrameEvent, NotUsed> stack =
        (org.apache.pekko.stream.scaladsl.Flow<FrameEvent, FrameEvent, NotUsed>)
            (Object)
                WebSocket.stack(
                        true,
                        (org.apache.pekko.http.scaladsl.settings.WebSocketSettings) settings,
                        CLOSE_HANDSHAKE_TIMEOUT,
                        log)
                    .join(user.asScala());
    Flow<FrameEvent, FrameEvent, NotUsed> frames =
        stack.asJava().map(frame -> withCloseCode(frame, closeCode.get())).via(connection.flow());
    @SuppressWarnings("unchecked")
    Graph<FlowShape<FrameEvent, FrameEvent>, Object> graph =
        (Graph<FlowShape<FrameEvent, FrameEvent>, Object>) (Object) frames;
    return ((UpgradeToWebSocketLowLevel) upgrade).handleFrames(graph, Option.empty());
  }

  /** The stack's Close frame (always 1000 after a completed output) with the code asked for. */
  private static FrameEvent withCloseCode(FrameEvent frame, int code) {
    if (code != 0
        && frame instanceof FrameStart start
        && start.header().opcode().code() == CLOSE_OPCODE) {
      return FrameEvent.closeFrame(code, "", Option.empty());
    }
    return frame;
  }

  /** Pekko's WebSocket settings with keep-alive pings every {@code pingInterval} of silence. */
  static WebSocketSettings withPings(WebSocketSettings settings, Duration pingInterval) {
    return settings.withPeriodicKeepAliveMode("ping").withPeriodicKeepAliveMaxIdle(pingInterval);
  }
}
