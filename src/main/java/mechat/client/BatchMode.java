package mechat.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mechat.client.ViewEvent.EndReason;
import mechat.protocol.SlashCommand;

/**
 * The client for scripts, pipes and tests: sends the name, then each line of its input; prints
 * every server line as it is; at the end of input sends {@code /quit} and waits for {@code bye}.
 */
public final class BatchMode {
  /** Exit code when the server refuses the name: the script cannot type another one. */
  public static final int EXIT_NAME_REFUSED = 4;

  private final ServerConnection connection;
  private final String name;
  private final InputStream input;
  private final PrintStream output;
  private final Duration byeWait;
  private final Session session = new Session();

  public BatchMode(
      ServerConnection connection,
      String name,
      InputStream input,
      PrintStream output,
      Duration byeWait) {
    this.connection = connection;
    this.name = name;
    this.input = input;
    this.output = output;
    this.byeWait = byeWait;
  }

  /** Runs to the end of the conversation and returns the exit code. */
  public int run() {
    try {
      return converse();
    } finally {
      connection.close();
    }
  }

  private int converse() {
    // The name is answered before any input line is sent, so that a refused name can never turn
    // the next input line into a username.
    List<ViewEvent> answer = Handshake.propose(connection, session, name, this::print);
    if (Handshake.isRefused(answer)) return EXIT_NAME_REFUSED;
    for (ViewEvent event : answer) {
      if (event instanceof ViewEvent.Ended end) return end.reason().exitCode();
    }
    CompletableFuture<EndReason> ended = Receiver.start(connection, session, this::print, e -> {});
    CompletableFuture<Void> inputDone = CompletableFuture.runAsync(this::sendInput, daemon());
    CompletableFuture.anyOf(ended, inputDone).join();
    return ended.isDone() ? ended.join().exitCode() : awaitBye(ended);
  }

  /** Sends each input line, then {@code /quit} (unless the input already said it). */
  private void sendInput() {
    BufferedReader lines = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
    try {
      String line;
      while ((line = lines.readLine()) != null) {
        connection.send(line);
        if (SlashCommand.parse(line).orElse(null) == SlashCommand.QUIT) return;
      }
      connection.send("/quit");
    } catch (IOException e) {
      // the server is gone; the receiver reports how
    }
  }

  private int awaitBye(CompletableFuture<EndReason> ended) {
    try {
      return ended.get(byeWait.toMillis(), TimeUnit.MILLISECONDS).exitCode();
    } catch (TimeoutException e) {
      System.err.println(
          "mechat client: no 'bye' from the server within " + byeWait.toSeconds() + " s");
      return EndReason.NO_BYE.exitCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return EndReason.NO_BYE.exitCode();
    } catch (ExecutionException e) {
      return EndReason.CONNECTION_CLOSED.exitCode();
    }
  }

  private void print(String line) {
    output.print(line);
    output.print('\n');
    output.flush();
  }

  private static java.util.concurrent.Executor daemon() {
    return task -> {
      Thread thread = new Thread(task, "mechat-input");
      thread.setDaemon(true);
      thread.start();
    };
  }
}
