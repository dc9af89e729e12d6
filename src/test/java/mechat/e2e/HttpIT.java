package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import mechat.server.ChatServer;
import mechat.testing.Awaits;
import mechat.testing.LineClient;
import mechat.testing.TestTls;
import mechat.testing.WsClient;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.Test;

/**
 * Protocol §10 over plain HTTP and HTTPS: the page and its headers, {@code /health} through a
 * shutdown, {@code /metrics} in the Prometheus format, and the same routes and WebSocket over TLS.
 */
class HttpIT extends WebEndToEnd {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(int port, String path) throws Exception {
    return get(http, "http://127.0.0.1:" + port + path);
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse("(none)");
  }

  @Test
  void s10_thePageIsServedWithAPolicyThatAllowsNothingFromOtherOrigins() throws Exception {
    ChatServer s = webServer();
    HttpResponse<String> page = get(http(s), "/");
    assertEquals(200, page.statusCode());
    assertEquals("text/html; charset=UTF-8", header(page, "Content-Type"));
    String csp = header(page, "Content-Security-Policy");
    assertTrue(csp.startsWith("default-src 'none'; script-src 'self';"), csp);
    assertTrue(csp.contains("connect-src 'self'") && csp.contains("frame-ancestors 'none'"), csp);
    assertEquals("nosniff", header(page, "X-Content-Type-Options"));
    assertTrue(page.body().contains("<script type=\"module\" src=\"app.js\"></script>"));
    assertFalse(page.body().contains("http://") || page.body().contains("https://"), "no URL");
    String[][] assets = {
      {"/app.js", "text/javascript; charset=UTF-8"},
      {"/style.css", "text/css; charset=UTF-8"},
      {"/favicon.svg", "image/svg+xml"}
    };
    for (String[] asset : assets) {
      HttpResponse<String> r = get(http(s), asset[0]);
      assertEquals(200, r.statusCode(), asset[0]);
      assertEquals(asset[1], header(r, "Content-Type"), asset[0]);
      assertEquals("nosniff", header(r, "X-Content-Type-Options"), asset[0]);
    }
    assertEquals(404, get(http(s), "/web/index.html").statusCode());
    assertEquals(404, get(http(s), "/application.conf").statusCode());
    assertEquals(404, get(http(s), "/../application.conf").statusCode());
  }

  @Test
  void s10_healthIsOkWhileAcceptingAnd503FromTheStartOfTheShutdown() throws Exception {
    ChatServer s = webServer();
    int port = http(s);
    HttpResponse<String> ok = get(port, "/health");
    assertEquals(200, ok.statusCode());
    assertEquals("ok", ok.body());
    // Hold the shutdown while the connections drain, as a slow client would.
    CompletableFuture<Done> release = new CompletableFuture<>();
    CoordinatedShutdown.get(s.system())
        .addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "test-hold", () -> release);
    CompletableFuture<Void> stopped =
        CompletableFuture.runAsync(
            () -> {
              try {
                s.stop(Duration.ofSeconds(20));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Awaits.until(() -> get(port, "/health").statusCode() == 503, "503 during the shutdown");
    HttpResponse<String> down = get(port, "/health");
    assertEquals("shutting down", down.body());
    assertEquals("no-store", header(down, "Cache-Control"));
    // A browser arriving now is told, not queued.
    WsClient late = track(WsClient.connect(port));
    late.expect("server shutting down");
    late.expectClose(1001);
    release.complete(Done.getInstance());
    stopped.get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** One raw request on a socket, the whole answer back (the server closes after HTTP/1.0). */
  private static String raw(int port, String request) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(
          socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void s10_healthAnswersAnHttp10CheckWithoutHost() throws Exception {
    // HAProxy's `option httpchk GET /health` and `curl --http1.0` send no Host header, which
    // HTTP/1.0 allows: the check must see 200, not 400.
    int port = http(webServer());
    String answer = raw(port, "GET /health HTTP/1.0\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
    assertTrue(answer.endsWith("\r\n\r\nok"), answer);
    assertTrue(raw(port, "GET /nowhere HTTP/1.0\r\n\r\n").startsWith("HTTP/1.1 404 "));
  }

  /** The value of one sample line, e.g. {@code mechat_connections{transport="tcp"}}. */
  private static double sample(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics);
    assertTrue(m.find(), name + " missing from\n" + metrics);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void s10_metricsAreInThePrometheusFormatAndMoveWhenAPairChats() throws Exception {
    ChatServer s = webServer("max-connections = 3");
    int port = http(s);
    HttpResponse<String> before = get(port, "/metrics");
    assertEquals(200, before.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=UTF-8", header(before, "Content-Type"));
    assertEquals(0.0, sample(before.body(), "mechat_lines_relayed_total"));

    WsClient web = wsNamed(s, "webber");
    web.expect("wait");
    LineClient tcp = named(s, "tcpper");
    tcp.expect("matched to webber");
    web.expect("matched to tcpper");
    LineClient waiting = named(s, "waiter");
    waiting.expect("wait");
    connect(s).expect("server full"); // a fourth connection
    for (int i = 0; i < 3; i++) web.send("line " + i);
    for (int i = 0; i < 3; i++) tcp.expect("webber: line " + i);
    tcp.send("and back");
    web.expect("tcpper: and back");

    String m = get(port, "/metrics").body();
    assertEquals(4.0, sample(m, "mechat_lines_relayed_total"));
    assertEquals(1.0, sample(m, "mechat_connections{transport=\"websocket\"}"));
    assertEquals(2.0, sample(m, "mechat_connections{transport=\"tcp\"}"));
    assertEquals(0.0, sample(m, "mechat_connections{transport=\"tls\"}"));
    assertEquals(3.0, sample(m, "mechat_named_clients"));
    assertEquals(1.0, sample(m, "mechat_waiting_clients"));
    assertEquals(1.0, sample(m, "mechat_conversations"));
    assertEquals(1.0, sample(m, "mechat_refused_connections_total{reason=\"server_full\"}"));
    assertTrue(m.contains("jvm_memory_used_bytes{"), "JVM metrics");
    assertTrue(m.contains("executor_pool_size_threads{name=\"pekko-default-dispatcher\""), m);
    for (String secret : new String[] {"webber", "tcpper", "waiter", "line 0", "127.0.0.1"}) {
      assertFalse(m.contains(secret), "the metrics name " + secret);
    }
  }

  @Test
  void s10_refusalsAreCountedByReason() throws Exception {
    ChatServer s = webServer("max-connections = 1");
    int port = http(s);
    WsClient first = wsNamed(s, "first");
    first.expect("wait");
    WsClient second = ws(s);
    second.expect("server full");
    connect(s).expect("server full");
    String m = get(port, "/metrics").body();
    assertEquals(2.0, sample(m, "mechat_refused_connections_total{reason=\"server_full\"}"));
    assertEquals(
        0.0, sample(m, "mechat_refused_connections_total{reason=\"too_many_connections\"}"));
  }

  @Test
  void s10_httpsServesTheSameRoutesAndWebSocketWithTheTlsKeystore() throws Exception {
    ChatServer s = TestTls.start(TestTls.settings("https-port = 0"));
    try {
      int port = s.httpsPort().orElseThrow();
      SSLParameters tls13 = new SSLParameters();
      tls13.setProtocols(new String[] {"TLSv1.3"});
      HttpClient client =
          HttpClient.newBuilder()
              .sslContext(TestTls.clientContext())
              .sslParameters(tls13)
              .version(HttpClient.Version.HTTP_1_1)
              .build();
      HttpResponse<String> page = get(client, "https://localhost:" + port + "/");
      assertEquals(200, page.statusCode());
      assertTrue(header(page, "Content-Security-Policy").startsWith("default-src 'none'"));
      assertEquals("ok", get(client, "https://localhost:" + port + "/health").body());
      try (WsClient web =
              WsClient.connect(
                  client,
                  URI.create("wss://localhost:" + port + "/chat"),
                  "https://localhost:" + port);
          LineClient tls = LineClient.tls(TestTls.tlsPort(s), TestTls.clientContext())) {
        web.send("secure-web");
        web.expect("wait");
        tls.send("secure-tcp");
        tls.expect("matched to secure-web");
        web.expect("matched to secure-tcp");
        web.send("over wss");
        tls.expect("secure-web: over wss");
        web.send("/quit");
        web.expect("bye");
        web.expectClose(1000);
      }
      HttpClient untrusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      Exception e =
          org.junit.jupiter.api.Assertions.assertThrows(
              Exception.class, () -> get(untrusting, "https://localhost:" + port + "/"));
      assertTrue(
          e instanceof SSLHandshakeException || e.getCause() instanceof SSLHandshakeException,
          e.toString());
    } finally {
      s.stop(Duration.ofSeconds(20));
    }
  }
}
