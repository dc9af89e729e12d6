package mechat.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mechat.testing.Awaits;

/**
 * One {@code mechat server} cluster node in a JVM of its own, from target/mechat.jar: its stdout's
 * {@code cluster member ... up} and {@code listening on ...} lines are read, its log goes to a file
 * under target/cluster-it. Killed with SIGKILL or stopped with SIGTERM, as an operator would.
 */
final class NodeProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");
  private static final Path LOGS = Path.of("target", "cluster-it");

  final int clusterPort;
  final Process process;
  final Path log;
  private final List<String> stdout = new ArrayList<>();
  private volatile int port = -1;

  private NodeProcess(int clusterPort, Process process, Path log) {
    this.clusterPort = clusterPort;
    this.process = process;
    this.log = log;
    Thread reader = new Thread(this::readStdout, "node-" + clusterPort + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Starts a node on {@code clusterPort} joining through {@code seeds} (cluster ports). */
  static NodeProcess start(int clusterPort, List<Integer> seeds) throws IOException {
    Path jar = Path.of("target", "mechat.jar");
    if (!Files.isRegularFile(jar)) throw new IllegalStateException("run mvn package first: " + jar);
    Files.createDirectories(LOGS);
    Path log = LOGS.resolve("node-" + clusterPort + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(List.of("-jar", jar.toString(), "server", "--port", "0", "--rate", "0"));
    cmd.addAll(List.of("--stats-interval", "0", "--cluster-port", String.valueOf(clusterPort)));
    cmd.add("--seed-nodes");
    cmd.add(String.join(",", seeds.stream().map(p -> "127.0.0.1:" + p).toList()));
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    return new NodeProcess(clusterPort, p, log);
  }

  private void readStdout() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (stdout) {
          stdout.add(line);
        }
        Matcher m = LISTENING.matcher(line);
        if (m.matches()) port = Integer.parseInt(m.group(2));
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  List<String> stdout() {
    synchronized (stdout) {
      return List.copyOf(stdout);
    }
  }

  /** Waits for {@code cluster member ... up} and then {@code listening on ...}; the chat port. */
  int awaitListening(Duration timeout) throws Exception {
    Awaits.until(
        () -> {
          if (!process.isAlive()) throw new IllegalStateException("node exited: " + logTail());
          return port > 0;
        },
        "node " + clusterPort + " to listen",
        timeout);
    List<String> out = stdout();
    if (!out.get(0).equals("cluster member 127.0.0.1:" + clusterPort + " up")) {
      throw new AssertionError("stdout of node " + clusterPort + ": " + out);
    }
    return port;
  }

  int port() {
    return port;
  }

  /** Whether this node's log says it started the matchmaker (it is, or was, the oldest). */
  boolean startedMatchmaker() throws IOException {
    return Files.readString(log)
        .contains("matchmaker started on pekko://mechat@127.0.0.1:" + clusterPort);
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  void kill() {
    process.destroyForcibly();
  }

  /** SIGTERM (not Process.destroy(), which also closes our end of its stdout). */
  void terminate() {
    process.toHandle().destroy();
  }

  boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }
}
