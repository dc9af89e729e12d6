package mechat.client;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mechat.client.ViewEvent.EndReason;
import org.jline.reader.EndOfFileException;
import org.jline.reader.UserInterruptException;

/**
 * The client for a person at a terminal: asks for a name until the server accepts one, then reads
 * lines while a {@link Receiver} prints what arrives above the input line. Runs the input on the
 * calling thread; when the server ends the conversation the receiver interrupts it.
 */
public final class InteractiveMode {
  static final String QUIT = "/quit";

  private final ServerConnection connection;
  private final TerminalView view;
  private final String nameOption;
  private final Duration byeWait;
  private final Session session = new Session();

  /** {@code name} may be null: then the person is asked for one. */
  public InteractiveMode(
      ServerConnection connection, TerminalView view, String name, Duration byeWait) {
    this.connection = connection;
    this.view = view;
    this.nameOption = name;
    this.byeWait = byeWait;
  }

  /** Runs to the end of the conversation and returns the exit code. */
  public int run() {
    try {
      Optional<EndReason> endedEarly = agreeOnName();
      return endedEarly.isPresent() ? endedEarly.get().exitCode() : chat().exitCode();
    } finally {
      connection.close();
    }
  }

  /** The username phase: empty once a name is accepted, or how the conversation ended. */
  private Optional<EndReason> agreeOnName() {
    String name = nameOption;
    while (true) {
      if (name == null) {
        try {
          name = view.readLine(TerminalView.NAME_PROMPT);
        } catch (UserInterruptException | EndOfFileException e) {
          name = QUIT; // leaving before a name: /quit works in this phase too (§3.7)
        }
      }
      List<ViewEvent> answer = Handshake.propose(connection, session, name, line -> {});
      answer.forEach(view::show);
      for (ViewEvent event : answer) {
        if (event instanceof ViewEvent.Ended end) return Optional.of(end.reason());
      }
      if (!Handshake.isRefused(answer)) return Optional.empty();
      name = null;
    }
  }

  private EndReason chat() {
    Thread input = Thread.currentThread();
    CompletableFuture<EndReason> ended =
        Receiver.start(connection, session, line -> {}, event -> showThenWake(event, input));
    readAndSend();
    return awaitEnd(ended);
  }

  private void showThenWake(ViewEvent event, Thread input) {
    view.show(event);
    if (event instanceof ViewEvent.Ended) input.interrupt(); // ends a blocked readLine
  }

  /** Reads typed lines until /quit, Ctrl-D, Ctrl-C or the end of the conversation. */
  private void readAndSend() {
    while (!isEnded()) {
      String typed;
      try {
        typed = view.readLine(TerminalView.CHAT_PROMPT);
      } catch (EndOfFileException e) {
        if (!isEnded()) quit();
        return;
      } catch (UserInterruptException e) {
        if (!isEnded()) {
          quit();
        } else if (!e.getPartialLine().isBlank()) {
          // kept on screen, so that it can be copied elsewhere
          view.status("not sent: " + SafeText.of(e.getPartialLine()));
        }
        return;
      }
      // A paste of several lines arrives as one; the server takes one message per line.
      for (String line : typed.split("\\R")) {
        if (isEnded()) return;
        Optional<ViewEvent.OwnLine> echo;
        synchronized (session) {
          echo = session.userLine(line);
        }
        if (echo.isEmpty()) continue;
        view.show(echo.get());
        if (!send(line) || isQuitting()) return;
      }
    }
  }

  private void quit() {
    synchronized (session) {
      session.quitSent();
    }
    send(QUIT);
  }

  private boolean send(String line) {
    try {
      connection.send(line);
      return true;
    } catch (IOException e) {
      return false; // the server is gone: the receiver sees the close and says so
    }
  }

  private EndReason awaitEnd(CompletableFuture<EndReason> ended) {
    // After /quit the server answers at once; otherwise the receiver is already finishing.
    long deadline = System.nanoTime() + byeWait.toNanos();
    while (true) {
      try {
        return ended.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        // the receiver's wake-up, late: the input loop had already stopped; keep waiting
      } catch (TimeoutException e) {
        List<ViewEvent> events;
        synchronized (session) {
          events = session.noBye();
        }
        events.forEach(view::show);
        return EndReason.NO_BYE;
      } catch (ExecutionException e) {
        return EndReason.CONNECTION_CLOSED;
      } finally {
        Thread.interrupted();
      }
    }
  }

  private boolean isEnded() {
    synchronized (session) {
      return session.isEnded();
    }
  }

  private boolean isQuitting() {
    synchronized (session) {
      return session.isQuitting();
    }
  }
}
