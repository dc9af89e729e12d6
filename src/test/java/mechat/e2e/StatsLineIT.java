package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import mechat.server.ChatServer;
import mechat.server.ServerGuardian;
import mechat.testing.Awaits;
import mechat.testing.LineClient;
import mechat.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The operator's periodic stats line (issue 5): what it counts, and that 0 turns it off. */
class StatsLineIT extends EndToEnd {
  private final Logger guardianLog = (Logger) LoggerFactory.getLogger(ServerGuardian.class);
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Level levelBefore;

  @BeforeEach
  void capture() {
    levelBefore = guardianLog.getLevel();
    guardianLog.setLevel(Level.INFO); // tests log WARN and up only
    captured.start();
    guardianLog.addAppender(captured);
  }

  @AfterEach
  void release() {
    guardianLog.detachAppender(captured);
    guardianLog.setLevel(levelBefore);
  }

  private List<String> statsLines() {
    synchronized (captured.list) {
      return captured.list.stream()
          .map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.startsWith("stats: "))
          .toList();
    }
  }

  @Test
  void theStatsLineCountsConnectionsWaitingConversationsLinesAndRefusals() throws Exception {
    ChatServer s =
        server(TestServers.settings("max-connections-per-ip = 4", "stats-interval = 200ms"));
    LineClient[] p = pair(s, "ann", "bob");
    named(s, "cyd").expect("wait");
    connectAndAwaitAccept(s); // still choosing a name
    connect(s).expect("too many connections");
    for (int i = 0; i < 5; i++) p[0].send("line " + i);
    for (int i = 0; i < 5; i++) p[1].expect("ann: line " + i);

    Awaits.until(
        () ->
            statsLines().stream()
                .anyMatch(
                    l ->
                        l.matches(
                            "stats: 4 connections \\(3 named\\), 1 waiting, 1 conversations, \\d+ lines/s relayed"
                                + " \\(5 in all\\), refused 0 \\(server full\\) and [01] \\(too many from one"
                                + " address\\)")),
        "a stats line with 4 connections, 3 named, 1 waiting, 1 conversation, 5 lines");
    assertTrue(
        statsLines().stream().anyMatch(l -> l.contains("and 1 (too many from one address)")),
        "the refusal is counted once: " + statsLines());
    assertTrue(
        statsLines().stream().anyMatch(l -> !l.contains(" 0 lines/s")),
        "the relayed lines show as a rate: " + statsLines());
  }

  @Test
  void zeroTurnsTheStatsLineOff() throws Exception {
    ChatServer quiet = server(TestServers.settings("stats-interval = 0s"));
    ChatServer chatty = server(TestServers.settings("stats-interval = 100ms"));
    named(quiet, "q").expect("wait");
    // the chatty server's lines show the log works; none may come from the quiet one
    Awaits.until(() -> statsLines().size() >= 3, "three stats lines of the chatty server");
    assertTrue(
        statsLines().stream().allMatch(l -> l.startsWith("stats: 0 connections")),
        "only the chatty, empty server logs: " + statsLines());
  }
}
