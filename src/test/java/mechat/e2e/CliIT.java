package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mechat.Main;
import mechat.server.ChatServer;
import mechat.testing.LineClient;
import mechat.testing.TestServers;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Protocol §8 (command line) and §7 (SIGTERM), on the real entry point. */
class CliIT {
  private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");

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
  void s8_helpExplainsEveryOption() {
    Run r = run("server", "--help");
    assertEquals(0, r.code());
    for (String option :
        new String[] {
          "--host",
          "--port",
          "--max-connections",
          "--handshake-timeout",
          "--rate",
          "--burst",
          "--max-line-bytes",
          "--slow-reader-timeout",
          "--config",
          "--version"
        }) {
      assertTrue(r.out().contains(option), "--help lacks " + option + ":\n" + r.out());
    }
    assertTrue(r.out().contains("[10000]") && r.out().contains("[4096]"), "defaults shown");
  }

  @Test
  void s8_versionAndTopLevelHelp() {
    Run v = run("--version");
    assertEquals(0, v.code());
    assertTrue(v.out().startsWith("mechat "), v.out());
    Run h = run("--help");
    assertEquals(0, h.code());
    assertTrue(h.out().contains("server"), h.out());
  }

  @Test
  void s8_aBadOptionIsOneLineOfReasonAndANonZeroExit() {
    Run r = run("server", "--port", "notanumber");
    assertEquals(2, r.code());
    assertTrue(r.err().lines().findFirst().orElse("").contains("--port"), r.err());
    Run unknown = run("server", "--colour", "blue");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("--colour"), unknown.err());
    Run invalid = run("server", "--port", "70000");
    assertEquals(1, invalid.code());
    assertTrue(invalid.err().contains("port"), invalid.err());
  }

  @Test
  void s8_aPortInUseIsOneLineOfReasonAndExitCode1() throws Exception {
    ChatServer busy = TestServers.start();
    try {
      Run r = run("server", "--port", String.valueOf(busy.port()));
      assertEquals(1, r.code());
      assertTrue(
          r.err().startsWith("mechat server: cannot listen on 127.0.0.1:" + busy.port()), r.err());
      assertEquals(1, r.err().lines().count(), r.err());
    } finally {
      busy.stop(Duration.ofSeconds(20));
    }
  }

  @Test
  void s8_aConfigFileSetsDefaultsAndOptionsOverrideIt() throws Exception {
    Path conf = Files.createTempFile("mechat", ".conf");
    Files.writeString(conf, "mechat.server { max-line-bytes = 10, rate = 0, port = 0 }\n");
    Process p = start("--config", conf.toString(), "--rate", "0");
    try {
      int port = awaitListening(p);
      try (LineClient a = LineClient.named(port, "c1")) {
        a.expect("wait");
        LineClient b = LineClient.named(port, "c2");
        b.expect("matched to c1");
        a.expect("matched to c2");
        a.send("0123456789a"); // 11 bytes: over the file's limit of 10
        a.expect("message too long");
      }
    } finally {
      p.destroy();
      p.waitFor(20, TimeUnit.SECONDS);
      Files.deleteIfExists(conf);
    }
  }

  @Test
  void s7_s8_sigtermDrainsEveryConnectionWithServerShuttingDownAndExitsZero() throws Exception {
    Process p = start("--port", "0", "--rate", "0");
    try {
      int port = awaitListening(p);
      try (LineClient a = LineClient.named(port, "alice");
          LineClient b = new LineClient(port);
          LineClient w = new LineClient(port);
          LineClient h = new LineClient(port)) {
        a.expect("wait");
        b.send("bob");
        b.expect("matched to alice");
        a.expect("matched to bob");
        w.send("waiter");
        w.expect("wait");
        a.send("before shutdown");
        b.expect("alice: before shutdown");
        long start = System.nanoTime();
        p.destroy(); // SIGTERM
        for (LineClient c : List.of(a, b, w, h)) {
          c.expect("server shutting down");
          c.expectClosed();
        }
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "server did not exit");
        assertEquals(0, p.exitValue());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 20_000, "took " + ms + " ms");
      }
    } finally {
      p.destroyForcibly();
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

  private static int awaitListening(Process p) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine(); // the first line on stdout, as protocheck and scripts read it
    Matcher m = LISTENING.matcher(line == null ? "" : line);
    assertTrue(m.matches(), "first stdout line: " + line);
    return Integer.parseInt(m.group(2));
  }
}
