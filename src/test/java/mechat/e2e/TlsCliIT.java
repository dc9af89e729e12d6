package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mechat.Main;
import mechat.server.ChatServer;
import mechat.testing.LineClient;
import mechat.testing.TestTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Protocol §9 on the real entry points, each in a JVM of its own: {@code mechat server} with a TLS
 * listener (its stdout lines, its keystore errors) and {@code mechat client --tls}.
 */
@Timeout(120) // every read here blocks: a hung child JVM must not hang the build
class TlsCliIT {
  private static final Pattern LISTENING =
      Pattern.compile("listening on (\\S+):(\\d+)( \\(tls\\))?");

  @Test
  void s9_helpExplainsTheTlsOptions() {
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    assertEquals(0, cli.execute("server", "--help"));
    for (String option : List.of("--tls-port", "--tls-keystore", "--tls-keystore-password-env")) {
      assertTrue(out.toString().contains(option), "server --help lacks " + option + ":\n" + out);
    }
    assertTrue(out.toString().contains("[MECHAT_TLS_PASSWORD]"), out.toString());
    out.getBuffer().setLength(0);
    assertEquals(0, cli.execute("client", "--help"));
    for (String option : List.of("--tls", "--tls-ca")) {
      assertTrue(out.toString().contains(option), "client --help lacks " + option + ":\n" + out);
    }
  }

  @Test
  void s9_theServerPrintsTheTlsLineServesBothListenersAndStopsBothOnSigterm() throws Exception {
    Process p =
        java(
                Map.of(TestTls.PASSWORD_ENV, TestTls.PASSWORD),
                "server",
                "--port",
                "0",
                "--rate",
                "0",
                "--tls-port",
                "0",
                "--tls-keystore",
                TestTls.keystore().toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (BufferedReader stdout = stdout(p)) {
      Matcher plain = LISTENING.matcher(String.valueOf(stdout.readLine()));
      assertTrue(plain.matches() && plain.group(3) == null, "first line: " + plain);
      Matcher tls = LISTENING.matcher(String.valueOf(stdout.readLine()));
      assertTrue(tls.matches() && tls.group(3) != null, "second line: " + tls);
      assertEquals("127.0.0.1", tls.group(1));
      int tlsPort = Integer.parseInt(tls.group(2));
      try (LineClient alice = LineClient.tls(tlsPort, TestTls.clientContext());
          LineClient bob = new LineClient(Integer.parseInt(plain.group(2)))) {
        alice.send("alice");
        alice.expect("wait");
        bob.send("bob");
        bob.expect("matched to alice");
        alice.expect("matched to bob");
        alice.send("over TLS");
        bob.expect("alice: over TLS");
        p.destroy(); // SIGTERM
        for (LineClient c : List.of(alice, bob)) {
          c.expect("server shutting down");
          c.expectClosed();
        }
      }
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "server did not exit");
      assertEquals(0, p.exitValue());
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void s9_aWrongKeystorePasswordIsOneLineAndExitCode1() throws Exception {
    Result r =
        run(
            Map.of("MECHAT_TEST_TLS_PASSWORD", "not the password"),
            "server",
            "--port",
            "0",
            "--tls-port",
            "0",
            "--tls-keystore",
            TestTls.keystore().toString(),
            "--tls-keystore-password-env",
            "MECHAT_TEST_TLS_PASSWORD");
    assertEquals(1, r.code(), r.err());
    assertEquals(
        "mechat server: cannot use TLS: keystore " + TestTls.keystore() + ": wrong password",
        r.err().strip());
  }

  @Test
  void s9_anUnsetPasswordVariableIsOneLineAndExitCode1() throws Exception {
    Result r =
        run(
            Map.of(),
            "server",
            "--port",
            "0",
            "--tls-port",
            "0",
            "--tls-keystore",
            TestTls.keystore().toString(),
            "--tls-keystore-password-env",
            "MECHAT_TEST_UNSET_VARIABLE");
    assertEquals(1, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(
        r.err()
            .startsWith(
                "mechat server: cannot use TLS: environment variable"
                    + " MECHAT_TEST_UNSET_VARIABLE is not set"),
        r.err());
  }

  @Test
  void s9_aMissingKeystoreIsOneLineAndExitCode1() throws Exception {
    Result r =
        run(
            Map.of(TestTls.PASSWORD_ENV, TestTls.PASSWORD),
            "server",
            "--port",
            "0",
            "--tls-port",
            "0",
            "--tls-keystore",
            "no-such-keystore.p12");
    assertEquals(1, r.code(), r.err());
    assertEquals(
        "mechat server: cannot use TLS: keystore no-such-keystore.p12: no such file",
        r.err().strip());
  }

  @Test
  void s9_clientBatchModeWithTlsCaChatsThroughTheTlsListener() throws Exception {
    ChatServer s = TestTls.start();
    try (LineClient dave = LineClient.named(s.port(), "dave")) {
      dave.expect("wait");
      Process client =
          java(
                  Map.of(),
                  "client",
                  "--tls",
                  "--tls-ca",
                  TestTls.certificate().toString(),
                  "--port",
                  String.valueOf(TestTls.tlsPort(s)),
                  "--name",
                  "carol")
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      try (BufferedReader stdout = stdout(client);
          OutputStream stdin = client.getOutputStream()) {
        assertEquals("matched to dave", stdout.readLine());
        dave.expect("matched to carol");
        stdin.write("hello over TLS\n".getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        dave.expect("carol: hello over TLS");
        dave.send("hi carol");
        assertEquals("dave: hi carol", stdout.readLine());
        stdin.close(); // end of input: /quit
        assertEquals("bye", stdout.readLine());
        dave.expect("partner left");
        assertTrue(client.waitFor(20, TimeUnit.SECONDS), "client did not exit");
        assertEquals(0, client.exitValue());
      } finally {
        client.destroyForcibly();
      }
    } finally {
      s.stop(Duration.ofSeconds(20));
    }
  }

  @Test
  void s9_theClientExplainsWhyItCannotConnect() throws Exception {
    ChatServer s = TestTls.start();
    try {
      String tlsPort = String.valueOf(TestTls.tlsPort(s));
      Result untrusted = run(Map.of(), "client", "--tls", "--port", tlsPort, "--name", "x");
      assertEquals(1, untrusted.code(), untrusted.err());
      assertTrue(
          untrusted
              .err()
              .startsWith(
                  "mechat client: cannot connect to 127.0.0.1:"
                      + tlsPort
                      + ": the server's certificate is not trusted"),
          untrusted.err());

      try (ServerSocket notTls = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        Thread answer = new Thread(() -> answerInPlainText(notTls), "not-tls");
        answer.setDaemon(true);
        answer.start();
        Result plainPort =
            run(
                Map.of(),
                "client",
                "--tls-ca",
                TestTls.certificate().toString(),
                "--port",
                String.valueOf(notTls.getLocalPort()),
                "--name",
                "x");
        assertEquals(1, plainPort.code(), plainPort.err());
        assertEquals(
            "mechat client: cannot connect to 127.0.0.1:"
                + notTls.getLocalPort()
                + ": the server does not speak TLS: is "
                + notTls.getLocalPort()
                + " a TLS port?",
            plainPort.err().strip());
      }

      Result noCa =
          run(Map.of(), "client", "--tls-ca", "no-such-ca.pem", "--port", tlsPort, "--name", "x");
      assertEquals(2, noCa.code(), noCa.err());
      assertTrue(
          noCa.err().startsWith("mechat client: --tls-ca no-such-ca.pem: no such file"),
          noCa.err());

      Result notPem =
          run(
              Map.of(),
              "client",
              "--tls-ca",
              TestTls.keystore().toString(),
              "--port",
              tlsPort,
              "--name",
              "x");
      assertEquals(2, notPem.code(), notPem.err());
      assertTrue(notPem.err().contains("not a PEM certificate file"), notPem.err());
    } finally {
      s.stop(Duration.ofSeconds(20));
    }
  }

  /** A plain-text server, as MEchat's plain port would answer a ClientHello it took for a name. */
  private static void answerInPlainText(ServerSocket server) {
    try (Socket client = server.accept()) {
      client.getOutputStream().write("invalid username\n".getBytes(StandardCharsets.UTF_8));
      client.getInputStream().read(new byte[4096]);
    } catch (IOException e) {
      // the test has ended
    }
  }

  private record Result(int code, String out, String err) {}

  /** Runs `mechat ARGS` in its own JVM to its end, with an empty standard input. */
  private static Result run(Map<String, String> env, String... args) throws Exception {
    Process p = java(env, args).start();
    p.getOutputStream().close();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(
          p.waitFor(30, TimeUnit.SECONDS), "mechat " + String.join(" ", args) + " did not exit");
      return new Result(p.exitValue(), out, err);
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * `mechat ARGS` in a JVM of its own, with {@code env} added to an environment that has no
   * MECHAT_TLS_PASSWORD of its own.
   */
  private static ProcessBuilder java(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(cmd);
    builder.environment().remove(TestTls.PASSWORD_ENV);
    builder.environment().putAll(env);
    return builder;
  }

  private static BufferedReader stdout(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }
}
