package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mechat.Main;
import mechat.testing.LineClient;
import mechat.testing.WsClient;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Protocol §10's options on the real entry point: the HTTP listener's line, HTTPS's keystore. */
class WebCliIT {
  private static final Pattern LISTENING =
      Pattern.compile("listening on (\\S+):(\\d+)( \\(\\w+\\))?");

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void s10_theHttpListenerIsAnnouncedAfterTheOthersAndServesTheChat() throws Exception {
    Process p = start("--port", "0", "--http-port", "0", "--rate", "0");
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      Matcher tcp = LISTENING.matcher(String.valueOf(out.readLine()));
      assertTrue(tcp.matches() && tcp.group(3) == null, "first line: " + tcp);
      Matcher web = LISTENING.matcher(String.valueOf(out.readLine()));
      assertTrue(web.matches() && " (http)".equals(web.group(3)), "second line: " + web);
      assertEquals("127.0.0.1", web.group(1));
      int httpPort = Integer.parseInt(web.group(2));
      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals("ok", health.body());
      try (WsClient browser = WsClient.named(httpPort, "browser")) {
        browser.expect("wait");
        LineClient terminal = LineClient.named(Integer.parseInt(tcp.group(2)), "terminal");
        terminal.expect("matched to browser");
        browser.expect("matched to terminal");
        p.destroy(); // SIGTERM
        terminal.expect("server shutting down");
        browser.expect("server shutting down");
        browser.expectClose(1001);
        terminal.close();
      }
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "server did not exit");
      assertEquals(0, p.exitValue());
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void s10_anHttpPortInUseIsOneLineOfReasonAndExitCode1() throws Exception {
    try (java.net.ServerSocket busy =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      Run r = run("server", "--port", "0", "--http-port", String.valueOf(busy.getLocalPort()));
      assertEquals(1, r.code(), r.err());
      assertTrue(
          r.err()
              .startsWith(
                  "mechat server: cannot listen on 127.0.0.1:" + busy.getLocalPort() + " (http): "),
          r.err());
      assertEquals(1, r.err().lines().count(), r.err());
    }
  }

  @Test
  void s10_httpsWithoutAKeystoreIsOneLineOfReasonAndExitCode1() {
    Run r = run("server", "--port", "0", "--https-port", "0");
    assertEquals(1, r.code(), r.err());
    assertEquals(
        "mechat server: bad configuration: https-port needs tls-keystore (a PKCS12 file)",
        r.err().strip());
  }

  @Test
  void s10_aBadOriginOrPingIntervalIsExplained() {
    Run origin = run("server", "--http-port", "0", "--http-allowed-origins", "chat.example.org");
    assertEquals(1, origin.code());
    assertTrue(
        origin.err().contains("not an origin (scheme://host[:port]): chat.example.org"),
        origin.err());
    Run ping = run("server", "--http-port", "0", "--websocket-ping-interval", "0");
    assertEquals(1, ping.code());
    assertTrue(ping.err().contains("websocket-ping-interval must be > 0"), ping.err());
  }

  @Test
  void s10_helpListsTheHttpOptions() {
    Run r = run("server", "--help");
    for (String option :
        new String[] {
          "--http-port", "--https-port", "--http-allowed-origins", "--websocket-ping-interval"
        }) {
      assertTrue(r.out().contains(option), "--help lacks " + option);
    }
  }

  /** Starts `mechat server` in its own JVM, as an operator would. */
  private static Process start(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.add("server");
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }
}
