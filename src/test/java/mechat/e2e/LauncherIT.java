package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mechat.testing.LineClient;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/mechat}, the launcher that ships the measured JVM options: it runs the packaged jar
 * with them (and an operator's own after them), and the server it starts is an ordinary one.
 */
class LauncherIT {
  private static final Path LAUNCHER = Path.of("bin", "mechat");

  @Test
  void theLauncherStartsTheServerWithTheShippedOptionsAndTheOperatorsOwn() throws Exception {
    assertTrue(Files.isExecutable(LAUNCHER), "bin/mechat is executable");
    assertTrue(Files.isRegularFile(Path.of("target", "mechat.jar")), "the jar is packaged first");
    ProcessBuilder pb =
        new ProcessBuilder(LAUNCHER.toString(), "server", "--port", "0")
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("MECHAT_JAVA_OPTS", "-Dmechat.launcher.test=yes");
    Process p = pb.start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertTrue(line != null && line.startsWith("listening on 127.0.0.1:"), "got: " + line);
      int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
      try (LineClient c = LineClient.named(port, "launched")) {
        c.expect("wait");
      }
      List<String> args =
          List.of(p.toHandle().info().arguments().orElse(new String[0])); // exec: java's own
      assertTrue(args.contains("-XX:+UseParallelGC"), "shipped options: " + args);
      assertTrue(args.contains("-Xmx512m") && args.contains("-Xmn64m"), "heap: " + args);
      int ours = args.indexOf("-Dmechat.launcher.test=yes");
      assertTrue(ours > args.indexOf("-Xmx512m"), "the operator's options come last: " + args);
      assertEquals(Optional.of("-jar"), Optional.of(args.get(ours + 1)));
    } finally {
      p.destroy();
      p.waitFor(20, TimeUnit.SECONDS);
    }
  }
}
