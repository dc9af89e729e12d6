package mechat.client;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The username phase (protocol §3) as one request and its answer: the server answers every proposed
 * name, so the client sends it and reads until it knows the outcome.
 */
final class Handshake {
  private Handshake() {}

  /**
   * Sends {@code name} and returns what the answer means: a {@link ViewEvent.NameRefused}, the
   * acceptance events, or an {@link ViewEvent.Ended}. Every line read is also given to {@code
   * rawLines} (batch mode prints them as they are).
   */
  static List<ViewEvent> propose(
      ServerConnection connection, Session session, String name, Consumer<String> rawLines) {
    List<ViewEvent> events = new ArrayList<>();
    try {
      connection.send(name);
      session.nameSent(name);
      while (!isAnswer(events)) {
        String line = connection.readLine();
        if (line == null) {
          events.addAll(session.disconnected());
        } else {
          rawLines.accept(line);
          events.addAll(session.serverLine(line));
        }
      }
    } catch (IOException e) {
      events.addAll(session.disconnected());
    }
    return events;
  }

  static boolean isRefused(List<ViewEvent> events) {
    return events.stream().anyMatch(e -> e instanceof ViewEvent.NameRefused);
  }

  private static boolean isAnswer(List<ViewEvent> events) {
    return events.stream()
        .anyMatch(
            e ->
                e instanceof ViewEvent.NameRefused
                    || e instanceof ViewEvent.NameAccepted
                    || e instanceof ViewEvent.Ended);
  }
}
