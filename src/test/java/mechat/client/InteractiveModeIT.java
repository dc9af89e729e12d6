package mechat.client;

import static mechat.client.VirtualScreen.CTRL_C;
import static mechat.client.VirtualScreen.CTRL_D;
import static mechat.client.VirtualScreen.ENTER;
import static mechat.client.VirtualScreen.LEFT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mechat.protocol.Notices;
import mechat.server.ChatServer;
import mechat.testing.LineClient;
import mechat.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The interactive client driven through a JLine virtual terminal against a real server: what a
 * person types goes in as keystrokes, what they would see is the captured screen.
 */
class InteractiveModeIT {
  private static final Clock NOON =
      Clock.fixed(Instant.parse("2030-01-01T12:34:56Z"), ZoneOffset.UTC);

  private ChatServer server;
  private VirtualScreen screen;
  private LineClient alice;

  @BeforeEach
  void start() throws IOException {
    server = TestServers.start();
    alice = LineClient.named(server.port(), "alice");
    alice.expect(Notices.WAIT);
  }

  @AfterEach
  void stop() throws Exception {
    alice.close();
    if (screen != null) screen.close();
    server.stop(Duration.ofSeconds(10));
  }

  @ParameterizedTest
  @EnumSource(VirtualScreen.Kind.class)
  void aHalfTypedLineSurvivesAnIncomingMessageCursorAndAll(VirtualScreen.Kind kind)
      throws Exception {
    screen = new VirtualScreen(kind);
    CompletableFuture<Integer> exit = runClient(server.port(), "bob");
    alice.expect(Notices.matchedTo("bob"));
    screen.awaitPlain("12:34 -- now chatting with alice");
    screen.awaitPrompt();

    // "hello wrld" with the cursor moved back between "w" and "rld", as if fixing a typo
    screen.type("hello wrld" + LEFT + LEFT + LEFT);
    screen.awaitPlain("> hello wrld");
    int beforeMessage = screen.rawLength();

    alice.send("are you there?");
    String after =
        screen.awaitPlain(
            beforeMessage,
            s -> s.contains("12:34 alice: are you there?\n") && s.endsWith("> hello wrld"),
            "the message above, then the prompt and the half-typed line redrawn");
    assertTrue(
        after.indexOf("alice: are you there?") < after.lastIndexOf("> hello wrld"),
        "the message is printed above the input line: " + after);

    screen.type("o" + ENTER); // typed at the cursor, which stayed after "w"
    alice.expect("bob: hello world");
    screen.awaitPlain("12:34 you> hello world");

    alice.send("bye bob");
    screen.awaitPlain("12:34 alice: bye bob");
    screen.awaitPrompt();
    screen.type(CTRL_D);
    alice.expect(Notices.PARTNER_LEFT);
    assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    screen.awaitPlain("-- bye");
  }

  @Test
  void asksForANameAgainUntilTheServerAcceptsOne() throws Exception {
    screen = new VirtualScreen(VirtualScreen.Kind.EXTERNAL); // for Ctrl-C at the end
    CompletableFuture<Integer> exit = runClient(server.port(), null);
    screen.awaitPrompt();
    screen.type("bad name" + ENTER);
    screen.awaitPlain("-- invalid username: use 1-30 ASCII letters, digits or punctuation");
    screen.awaitPrompt();
    screen.type("ALICE" + ENTER);
    screen.awaitPlain("-- username taken");
    screen.awaitPrompt();
    screen.type("bob" + ENTER);
    alice.expect(Notices.matchedTo("bob"));
    screen.awaitPlain("-- you are bob");
    screen.awaitPlain("-- now chatting with alice");

    screen.awaitPrompt();
    screen.type("/help" + ENTER);
    screen.awaitPlain("-- commands: /next");
    screen.awaitPrompt();
    screen.type(CTRL_C); // Ctrl-C leaves cleanly too: /quit, then bye
    screen.awaitPlain("-- bye");
    alice.expect(Notices.PARTNER_LEFT);
    assertEquals(0, exit.get(10, TimeUnit.SECONDS));
  }

  @Test
  void nextAndPartnerLeftShowAsClearStatus() throws Exception {
    screen = new VirtualScreen(VirtualScreen.Kind.PTY);
    CompletableFuture<Integer> exit = runClient(server.port(), "bob");
    alice.expect(Notices.matchedTo("bob"));
    screen.awaitPlain("-- now chatting with alice");
    alice.send("/next");
    alice.expect(Notices.WAIT);
    screen.awaitPlain("-- alice left -- looking for someone new");
    screen.awaitPlain("-- waiting for a partner...");
    try (LineClient carol = LineClient.named(server.port(), "carol")) {
      carol.expect(Notices.matchedTo("bob"));
      screen.awaitPlain("-- now chatting with carol");
      screen.awaitPrompt();
      screen.type("/quit" + ENTER);
      carol.expect(Notices.PARTNER_LEFT);
      assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void theServerShuttingDownIsSaidAndExitsNonZeroEvenWhileTyping() throws Exception {
    screen = new VirtualScreen(VirtualScreen.Kind.PTY);
    CompletableFuture<Integer> exit = runClient(server.port(), "bob");
    alice.expect(Notices.matchedTo("bob"));
    screen.awaitPlain("-- now chatting with alice");
    screen.awaitPrompt();
    screen.type("half a thou");
    screen.awaitPlain("> half a thou");
    server.stop(Duration.ofSeconds(10));
    screen.awaitPlain("-- the server is shutting down");
    assertEquals(3, exit.get(10, TimeUnit.SECONDS));
    screen.awaitPlain("-- not sent: half a thou");
  }

  @Test
  void receivedEscapeSequencesAreShownAsHarmlessText() throws Exception {
    // A hostile server (ours rejects control characters): it accepts any name and sends escapes.
    screen = new VirtualScreen(VirtualScreen.Kind.PTY);
    try (ServerSocket fake = new ServerSocket(0)) {
      CompletableFuture<Integer> exit = runClient(fake.getLocalPort(), "bob");
      try (Socket socket = fake.accept()) {
        OutputStream out = socket.getOutputStream();
        String evil =
            "matched to ev\u001b[31mil\nevil: \u001b[2J\u001b]0;owned\u0007gotcha\u009b\n";
        out.write(evil.getBytes(StandardCharsets.UTF_8));
        out.flush();
        screen.awaitPlain("evil: \uFFFD[2J\uFFFD]0;owned\uFFFDgotcha\uFFFD");
        screen.awaitPlain("-- now chatting with ev\uFFFD[31mil");
        assertFalse(screen.raw().contains("\u001b[2J"), "no received escape reaches the terminal");
        assertFalse(screen.raw().contains("\u001b]0;"), "no received escape reaches the terminal");
      }
      screen.awaitPlain("-- the server closed the connection");
      assertEquals(3, exit.get(10, TimeUnit.SECONDS));
    }
  }

  private CompletableFuture<Integer> runClient(int port, String name) throws IOException {
    ServerConnection connection =
        ServerConnection.connect("127.0.0.1", port, Duration.ofSeconds(10));
    TerminalView view = new TerminalView(screen.terminal(), NOON, false);
    InteractiveMode mode = new InteractiveMode(connection, view, name, Duration.ofSeconds(5));
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread thread = new Thread(() -> exit.complete(mode.run()), "interactive-client");
    thread.setDaemon(true);
    thread.start();
    return exit;
  }
}
