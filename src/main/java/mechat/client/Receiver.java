package mechat.client;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import mechat.client.ViewEvent.EndReason;

/**
 * Reads server lines on a thread of its own once chatting can start, so that lines arrive while the
 * person types. Each line goes through the session (under its lock) to a listener; the returned
 * future completes with the reason the conversation ended.
 */
final class Receiver {
  private Receiver() {}

  static CompletableFuture<EndReason> start(
      ServerConnection connection,
      Session session,
      Consumer<String> rawLines,
      Consumer<ViewEvent> events) {
    CompletableFuture<EndReason> ended = new CompletableFuture<>();
    Thread thread =
        new Thread(() -> receive(connection, session, rawLines, events, ended), "mechat-receiver");
    thread.setDaemon(true);
    thread.start();
    return ended;
  }

  private static void receive(
      ServerConnection connection,
      Session session,
      Consumer<String> rawLines,
      Consumer<ViewEvent> listener,
      CompletableFuture<EndReason> ended) {
    try {
      while (!ended.isDone()) {
        String line;
        try {
          line = connection.readLine();
        } catch (IOException e) {
          line = null; // a reset is a close, for the person
        }
        List<ViewEvent> events;
        synchronized (session) {
          if (line != null) rawLines.accept(line);
          events = line == null ? session.disconnected() : session.serverLine(line);
        }
        for (ViewEvent event : events) {
          listener.accept(event);
          if (event instanceof ViewEvent.Ended end) ended.complete(end.reason());
        }
        if (line == null) ended.complete(EndReason.CONNECTION_CLOSED);
      }
    } catch (RuntimeException e) {
      ended.completeExceptionally(e);
    }
  }
}
