package mechat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import mechat.Main;
import mechat.protocol.Notices;
import mechat.server.ChatServer;
import mechat.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** End to end: non-interactive clients, in-process, against a real server on port 0. */
class BatchModeIT {
  private final List<BatchRun> runs = new ArrayList<>();
  private ChatServer server;

  @BeforeEach
  void startServer() {
    server = TestServers.start();
  }

  @AfterEach
  void stopClientsAndServer() throws Exception {
    for (BatchRun run : runs) run.close();
    server.stop(Duration.ofSeconds(10));
  }

  private BatchRun client(String name) throws Exception {
    BatchRun run = BatchRun.start(server.port(), name);
    runs.add(run);
    return run;
  }

  @Test
  void twoClientsChatBothWaysThenNextToAThirdThenQuit() throws Exception {
    BatchRun alice = client("alice");
    alice.expect(Notices.WAIT);
    BatchRun bob = client("bob");
    bob.expect(Notices.matchedTo("alice"));
    alice.expect(Notices.matchedTo("bob"));

    alice.type("hi bob: how are you?");
    bob.expect("alice: hi bob: how are you?");
    bob.type("fine, and you? ünïcödé ✓");
    alice.expect("bob: fine, and you? ünïcödé ✓");

    BatchRun carol = client("carol");
    carol.expect(Notices.WAIT);
    bob.type("/next");
    alice.expect(Notices.PARTNER_LEFT);
    // alice and bob may not meet again (§4.4): whichever re-queued first gets carol.
    String carolsMatch = carol.nextLine();
    assertTrue(Set.of("matched to alice", "matched to bob").contains(carolsMatch), carolsMatch);
    boolean aliceFirst = carolsMatch.equals("matched to alice");
    BatchRun third = aliceFirst ? alice : bob;
    BatchRun other = aliceFirst ? bob : alice;
    String thirdName = aliceFirst ? "alice" : "bob";
    String otherName = aliceFirst ? "bob" : "alice";
    third.expect(Notices.matchedTo("carol"));
    other.expect(Notices.WAIT);

    carol.type("hello " + thirdName);
    third.expect("carol: hello " + thirdName);
    third.type("hello carol");
    carol.expect(thirdName + ": hello carol");

    third.endInput(); // end of input: /quit, bye, exit 0
    third.expect(Notices.BYE);
    third.expectExit(0);
    carol.expect(Notices.PARTNER_LEFT);
    carol.expect(Notices.matchedTo(otherName));
    other.expect(Notices.matchedTo("carol"));

    other.type("/quit"); // a /quit in the input ends it too
    other.expect(Notices.BYE);
    other.expectExit(0);
    carol.expect(Notices.PARTNER_LEFT);
    carol.expect(Notices.WAIT);
    carol.endInput();
    carol.expect(Notices.BYE);
    carol.expectExit(0);
  }

  @Test
  void printsEveryServerLineAsItIs() throws Exception {
    BatchRun alice = client("alice");
    alice.expect(Notices.WAIT);
    for (String line : List.of("hello?", "/help", "/nope", "/next")) alice.type(line);
    alice.expect(Notices.NOT_MATCHED);
    alice.expect(Notices.HELP);
    alice.expect(Notices.UNKNOWN_COMMAND);
    alice.expect(Notices.WAIT);
    alice.endInput();
    alice.expect(Notices.BYE);
    alice.expectExit(0);
  }

  @Test
  void aRefusedNameIsPrintedAndEndsTheRunBeforeAnyInputIsSent() throws Exception {
    BatchRun alice = client("alice");
    alice.expect(Notices.WAIT);
    BatchRun bad = client("bad name");
    bad.type("this line must never become a username");
    bad.expect(Notices.INVALID_USERNAME);
    bad.expectExit(BatchMode.EXIT_NAME_REFUSED);
    BatchRun taken = client("ALICE");
    taken.expect(Notices.USERNAME_TAKEN);
    taken.expectExit(BatchMode.EXIT_NAME_REFUSED);
    alice.endInput();
    alice.expect(Notices.BYE);
    alice.expectExit(0);
  }

  @Test
  void partnerLeftWhenThePartnerQuitsAndShutdownExitsNonZero() throws Exception {
    BatchRun alice = client("alice");
    alice.expect(Notices.WAIT);
    BatchRun bob = client("bob");
    bob.expect(Notices.matchedTo("alice"));
    alice.expect(Notices.matchedTo("bob"));
    bob.endInput();
    bob.expect(Notices.BYE);
    bob.expectExit(0);
    alice.expect(Notices.PARTNER_LEFT);
    alice.expect(Notices.WAIT);

    server.stop(Duration.ofSeconds(10)); // while alice's input is still open
    alice.expect(Notices.SERVER_SHUTTING_DOWN);
    alice.expectExit(3);
  }

  @Test
  void cannotConnectExitsOneWithAOneLineReason() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    StringWriter err = new StringWriter();
    int code =
        cli(err).execute("client", "--batch", "--name", "x", "--port", String.valueOf(closedPort));
    assertEquals(1, code);
    assertEquals(
        "mechat client: cannot connect to 127.0.0.1:" + closedPort + ": Connection refused\n",
        err.toString());
  }

  @Test
  void batchWithoutANameIsAUsageError() {
    StringWriter err = new StringWriter();
    int code = cli(err).execute("client", "--batch", "--port", String.valueOf(server.port()));
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("mechat client: --batch needs --name"), err.toString());
  }

  @Test
  void aBadOptionIsAUsageError() {
    StringWriter err = new StringWriter();
    assertEquals(2, cli(err).execute("client", "--port", "nine"));
    assertTrue(err.toString().startsWith("mechat client: "), err.toString());
  }

  private static CommandLine cli(StringWriter err) {
    return Main.commandLine().setErr(new PrintWriter(err, true));
  }
}
