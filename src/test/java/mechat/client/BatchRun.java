package mechat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A batch-mode client run in-process, as a script would run it: its standard input is a pipe the
 * test writes to, its standard output a queue of lines the test reads with deadlines.
 */
final class BatchRun implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  private final PipedOutputStream stdin = new PipedOutputStream();
  private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> exit;

  private BatchRun(int port, String name) throws IOException {
    PipedInputStream input = new PipedInputStream(stdin, 1 << 16);
    PrintStream output = new PrintStream(new LineQueue(stdout), true, StandardCharsets.UTF_8);
    ServerConnection connection = ServerConnection.connect("127.0.0.1", port, WAIT);
    BatchMode mode = new BatchMode(connection, name, input, output, WAIT);
    exit =
        CompletableFuture.supplyAsync(mode::run, task -> new Thread(task, "batch-" + name).start());
  }

  static BatchRun start(int port, String name) throws IOException {
    return new BatchRun(port, name);
  }

  /** One line on the client's standard input. */
  void type(String line) throws IOException {
    stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  /** End of standard input. */
  void endInput() throws IOException {
    stdin.close();
  }

  /** The next line the client printed, or a failure after the deadline. */
  String nextLine() throws InterruptedException {
    String line = stdout.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (line == null) fail("no output line within " + WAIT);
    return line;
  }

  void expect(String line) throws InterruptedException {
    assertEquals(line, nextLine(), "next line printed by the batch client");
  }

  int exitCode() throws Exception {
    return exit.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Asserts the client exited with {@code code} and printed nothing more. */
  void expectExit(int code) throws Exception {
    assertEquals(code, exitCode(), "exit code");
    assertEquals(null, stdout.poll(), "no output after the end");
  }

  @Override
  public void close() throws IOException {
    stdin.close();
  }

  /** Splits what the client prints into lines. */
  private static final class LineQueue extends OutputStream {
    private final BlockingQueue<String> lines;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();

    LineQueue(BlockingQueue<String> lines) {
      this.lines = lines;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        lines.add(current.toString(StandardCharsets.UTF_8));
        current.reset();
      } else {
        current.write(b);
      }
    }
  }
}
