package mechat.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code openssl s_client -quiet} as a chat client, run as a process: its standard input is what it
 * sends, its standard output what the server said. Every wait has a deadline.
 */
public final class OpensslClient implements AutoCloseable {
  private static final String EOF = new String("end of output");

  private final Process process;
  private final OutputStream stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Path stderr;

  private OpensslClient(List<String> command) throws IOException {
    stderr = Files.createTempFile("openssl", ".err");
    process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()))
            .start();
    stdin = process.getOutputStream();
    Thread reader = new Thread(this::readOutput, "openssl-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Whether an {@code openssl} command is on the PATH (.ci/run installs it). */
  public static boolean available() {
    try {
      Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@code openssl s_client -connect 127.0.0.1:PORT -quiet} plus {@code options}. */
  public static OpensslClient connect(int port, String... options) throws IOException {
    List<String> command =
        new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-quiet"));
    command.addAll(List.of(options));
    return new OpensslClient(command);
  }

  private void readOutput() {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) lines.add(line);
    } catch (IOException e) {
      // the process is gone
    } finally {
      lines.add(EOF);
    }
  }

  public void send(String line) throws IOException {
    stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  /** The next line openssl printed, or null at its end or after the deadline. */
  public String readLine() throws InterruptedException {
    String line = lines.poll(LineClient.DEFAULT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    return line == EOF ? null : line;
  }

  public void expect(String expected) throws Exception {
    assertEquals(expected, readLine(), "next line from openssl s_client; its stderr: " + stderr());
  }

  /** Waits for openssl to exit; its exit code, or -1 if it is still running after the deadline. */
  public int awaitExit() throws InterruptedException {
    return process.waitFor(LineClient.DEFAULT_WAIT.toMillis(), TimeUnit.MILLISECONDS)
        ? process.exitValue()
        : -1;
  }

  public String stderr() throws IOException {
    return Files.readString(stderr);
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    Files.deleteIfExists(stderr);
  }
}
