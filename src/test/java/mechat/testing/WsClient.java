package mechat.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket client for end-to-end tests, on the JDK's {@code java.net.http.WebSocket}: send
 * lines, and read what the server sends as events ({@code "text:LINE"}, {@code "close:CODE"},
 * {@code "error:..."}) with a deadline. Pings are counted, not queued. A client made with {@code
 * reading = false} reads nothing until {@link #startReading()}: a reader that does not read.
 */
public final class WsClient implements AutoCloseable {
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private final AtomicInteger pings = new AtomicInteger();
  private final WebSocket socket;
  private volatile boolean reading;

  private WsClient(HttpClient http, URI uri, String origin, boolean reading) throws Exception {
    this.reading = reading;
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (origin != null) builder.header("Origin", origin);
    socket = builder.buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
  }

  /** Connects to ws://127.0.0.1:PORT/chat without an Origin (as a program, not a browser). */
  public static WsClient connect(int httpPort) throws Exception {
    return new WsClient(HttpClient.newHttpClient(), chat(httpPort), null, true);
  }

  /** Connects with this Origin header, as a page of that origin would. */
  public static WsClient connect(int httpPort, String origin) throws Exception {
    return new WsClient(HttpClient.newHttpClient(), chat(httpPort), origin, true);
  }

  /** Connects and reads nothing until {@link #startReading()}. */
  public static WsClient notReading(int httpPort) throws Exception {
    return new WsClient(HttpClient.newHttpClient(), chat(httpPort), null, false);
  }

  /** Connects to {@code uri} through {@code http} (HTTPS, say). */
  public static WsClient connect(HttpClient http, URI uri, String origin) throws Exception {
    return new WsClient(http, uri, origin, true);
  }

  /** Connects and proposes a name. */
  public static WsClient named(int httpPort, String name) throws Exception {
    WsClient c = connect(httpPort);
    c.send(name);
    return c;
  }

  public static URI chat(int httpPort) {
    return URI.create("ws://127.0.0.1:" + httpPort + "/chat");
  }

  private final class Listener implements WebSocket.Listener {
    private StringBuilder text = new StringBuilder();

    @Override
    public void onOpen(WebSocket webSocket) {
      if (reading) webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        events.add("text:" + text);
        text = new StringBuilder();
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      events.add("binary:" + data.remaining());
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
      pings.incrementAndGet();
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      events.add("close:" + statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      events.add("error:" + error);
    }
  }

  /** Starts reading (a client made with {@link #notReading}). */
  public void startReading() {
    reading = true;
    socket.request(1);
  }

  /** Sends one text message. */
  public void send(String text) throws Exception {
    socket.sendText(text, true).get(10, TimeUnit.SECONDS);
  }

  /** Sends one text message in the given fragments. */
  public void sendFragments(String... fragments) throws Exception {
    for (int i = 0; i < fragments.length; i++) {
      socket.sendText(fragments[i], i == fragments.length - 1).get(10, TimeUnit.SECONDS);
    }
  }

  public void sendBinary(byte[] bytes) throws Exception {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
  }

  /** Sends a Close frame with this code. */
  public void sendClose(int code) throws Exception {
    socket.sendClose(code, "").get(10, TimeUnit.SECONDS);
  }

  /** The next event within the wait, or {@code "none"}. */
  public String next(Duration wait) throws InterruptedException {
    String e = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    return e == null ? "none" : e;
  }

  public String next() throws InterruptedException {
    return next(DEFAULT_WAIT);
  }

  /** The next line the server sent, or the event that came instead (close, error, none). */
  public String readLine() throws InterruptedException {
    String e = next();
    return e.startsWith("text:") ? e.substring("text:".length()) : e;
  }

  /** Asserts that the next event is this line. */
  public void expect(String line) throws InterruptedException {
    assertEquals("text:" + line, next(), "next message from the server");
  }

  /** Asserts that the next event is the server's Close with this code. */
  public void expectClose(int code) throws InterruptedException {
    assertEquals("close:" + code, next(), "the server's Close");
  }

  /** Asserts that nothing arrives within {@code wait} (a short quiet period, not a sync point). */
  public void expectSilence(Duration wait) throws InterruptedException {
    String e = next(wait);
    if (!e.equals("none")) fail("expected nothing, got " + e);
  }

  public int pings() {
    return pings.get();
  }

  public boolean isClosed() {
    return socket.isInputClosed();
  }

  @Override
  public void close() {
    socket.abort();
  }
}
