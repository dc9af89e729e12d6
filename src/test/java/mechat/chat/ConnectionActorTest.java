package mechat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mechat.protocol.LineDecoder;
import mechat.protocol.Notices;
import mechat.testing.TestServers;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * One connection actor driven through an in-memory client instead of a socket (protocol §1, §3–§7):
 * its input is a {@code Source.queue}, its output a subscriber that passes each line to a probe and
 * reads only when the test lets it. The matchmaker and the conversation are probes answered by
 * hand. The whole class runs on {@link ManualTime}, so no timer fires unless a test moves the
 * clock.
 */
class ConnectionActorTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config().withFallback(TestServers.config()));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());

  /** Stop-and-wait (a window of one batch) makes each held batch visible to the tests. */
  private static final ConnectionSettings SETTINGS =
      TestServers.settings("inbound-window = 1").connection();

  /** Generous: a real stream sits between the test and the actor. */
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Only to assert that nothing arrives; never a synchronisation point. */
  private static final Duration QUIET = Duration.ofMillis(300);

  private static final String COMPLETED = "<output completed>";
  private static final String FAILED = "<output failed>";
  private static final AtomicInteger ids = new AtomicInteger();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  // ---------------------------------------------------------------- harness

  /** Passes each complete output line to a probe; requests elements only once reading. */
  private static final class Reader implements Subscriber<ByteString> {
    private final ActorRef<String> lines;
    private final boolean readFromStart;
    private final CompletableFuture<Subscription> subscription = new CompletableFuture<>();
    private ByteString pending = ByteString.emptyByteString();

    Reader(ActorRef<String> lines, boolean readFromStart) {
      this.lines = lines;
      this.readFromStart = readFromStart;
    }

    void startReading() {
      subscription.thenAccept(s -> s.request(Long.MAX_VALUE));
    }

    /** The client stops reading for good (its socket is gone). */
    void cancel() {
      subscription.thenAccept(Subscription::cancel);
    }

    @Override
    public void onSubscribe(Subscription s) {
      subscription.complete(s);
      if (readFromStart) s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(ByteString bytes) {
      pending = pending.concat(bytes);
      for (int lf; (lf = pending.indexOf((byte) '\n')) >= 0; ) {
        lines.tell(pending.take(lf).decodeString(StandardCharsets.UTF_8));
        pending = pending.drop(lf + 1);
      }
    }

    @Override
    public void onError(Throwable t) {
      lines.tell(FAILED + " " + t.getClass().getSimpleName());
    }

    @Override
    public void onComplete() {
      if (!pending.isEmpty()) lines.tell("<unterminated> " + pending.utf8String());
      lines.tell(COMPLETED);
    }
  }

  /** A connection actor, its in-memory client, and a matchmaker probe. */
  private static final class Client {
    final TestProbe<MatchmakerActor.Command> matchmaker =
        testKit.createTestProbe(MatchmakerActor.Command.class);
    final TestProbe<String> output = testKit.createTestProbe(String.class);
    final ActorRef<ConnectionActor.Command> connection;

    /** The connection as its peers (matchmaker, conversation) see it. */
    final ActorRef<ConnectionActor.ConversationEvent> peer;

    final String address;
    private final Reader reader;
    private final CompletableFuture<BoundedSourceQueue<ByteString>> input =
        new CompletableFuture<>();

    /** A client that reads everything the server writes. */
    Client() {
      this(true);
    }

    Client(boolean reading) {
      this(reading, SETTINGS);
    }

    Client(boolean reading, ConnectionSettings settings) {
      int id = ids.incrementAndGet();
      address = "test:" + id;
      reader = new Reader(output.ref(), reading);
      LineDecoder decoder = new LineDecoder(settings.maxLineBytes());
      ConnectionStream.Connector connector =
          stream -> {
            Pair<BoundedSourceQueue<ByteString>, ConnectionStream.Handle> ends =
                Source.<ByteString>queue(64)
                    .map(decoder::decode)
                    .viaMat(stream, Keep.both())
                    .to(Sink.fromSubscriber(reader))
                    .run(testKit.system());
            input.complete(ends.first());
            return ends.second();
          };
      connection =
          testKit.spawn(
              ConnectionActor.create(
                  settings, matchmaker.ref(), address, new ServerMetrics(), connector),
              "connection-" + id);
      peer = connection.narrow();
    }

    private BoundedSourceQueue<ByteString> input() {
      try {
        return input.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new AssertionError("the connection actor never connected its transport", e);
      }
    }

    /** Sends the lines, LF-terminated, as one chunk. */
    void send(String... lines) {
      sendRaw(ByteString.fromString(String.join("\n", lines) + "\n", StandardCharsets.UTF_8));
    }

    void sendRaw(ByteString bytes) {
      assertTrue(input().offer(bytes).isEnqueued(), "input accepted");
    }

    /** The client half-closes (or its connection breaks): the input ends. */
    void closeInput() {
      input().complete();
    }

    void startReading() {
      reader.startReading();
    }

    /** The connection breaks: the output is cancelled and the input ends, as on a reset. */
    void dropConnection() {
      reader.cancel();
      closeInput();
    }

    void expectLines(String... lines) {
      for (String line : lines) output.expectMessage(WAIT, line);
    }

    void expectOutputCompleted() {
      output.expectMessage(WAIT, COMPLETED);
    }

    MatchmakerActor.Register expectRegister(String name) {
      MatchmakerActor.Register r =
          matchmaker.expectMessageClass(MatchmakerActor.Register.class, WAIT);
      assertEquals(new MatchmakerActor.Register(name, address, connection.narrow(), peer), r);
      return r;
    }

    /** Name accepted, queued: {@code wait} (when reading). */
    void waiting(String name) {
      send(name);
      expectRegister(name);
      connection.tell(ConnectionActor.Waiting.INSTANCE);
      if (reader.readFromStart) expectLines(Notices.WAIT);
    }

    /** Paired with {@code partner}; returns the conversation probe. */
    TestProbe<ConversationActor.Command> matched(String partner) {
      TestProbe<ConversationActor.Command> conversation =
          testKit.createTestProbe(ConversationActor.Command.class);
      connection.tell(new ConnectionActor.Matched(conversation.ref(), partner));
      if (reader.readFromStart) expectLines(Notices.matchedTo(partner));
      return conversation;
    }

    void expectStopped() {
      testKit.createTestProbe().expectTerminated(connection, WAIT);
    }
  }

  private static ConversationActor.Say say(Client c, String... texts) {
    return new ConversationActor.Say(c.peer, List.of(texts));
  }

  // ---------------------------------------------------------------- §3 username phase

  @Test
  void s3_2_validNameIsRegisteredAndLaterLinesWaitForTheMatchmaker() {
    Client c = new Client();
    c.send("alice", "hello?", "/help");
    c.expectRegister("alice");
    c.output.expectNoMessage(QUIET); // "hello?" would be "not matched" if it were handled now
    c.matchmaker.expectNoMessage(Duration.ZERO);
    c.connection.tell(ConnectionActor.Waiting.INSTANCE);
    c.expectLines(Notices.WAIT, Notices.NOT_MATCHED, Notices.HELP);
  }

  @Test
  void s3_2_nameIsTrimmedOfSpacesAndTabs() {
    Client c = new Client();
    c.send(" \talice \t");
    c.expectRegister("alice");
  }

  @Test
  void s3_3_invalidNamesAreRefusedAndTheClientMayRetry() {
    Client c = new Client();
    c.send("", "bad name", "/next", "x".repeat(31), "h\u00e9llo");
    for (int i = 0; i < 5; i++) c.expectLines(Notices.INVALID_USERNAME);
    c.matchmaker.expectNoMessage(QUIET);
    c.send("x".repeat(30));
    c.expectRegister("x".repeat(30));
  }

  @Test
  void s1_badLinesInTheNamePhaseAreAnsweredAndTheConnectionStays() {
    Client c = new Client();
    c.sendRaw(ByteString.fromArray(new byte[] {(byte) 0xff, 'a', '\n'}));
    c.send("al\u0007ice");
    c.send("y".repeat(SETTINGS.maxLineBytes() + 1));
    c.expectLines(Notices.INVALID_USERNAME, Notices.INVALID_USERNAME, Notices.MESSAGE_TOO_LONG);
    c.matchmaker.expectNoMessage(QUIET);
    c.send("alice");
    c.expectRegister("alice");
  }

  @Test
  void s3_4_takenNameIsAnsweredAndTheNextLineIsTheNextProposal() {
    Client c = new Client();
    c.send("alice", "bob");
    c.expectRegister("alice");
    c.matchmaker.expectNoMessage(QUIET); // "bob" is held until the matchmaker answers
    c.connection.tell(ConnectionActor.NameTaken.INSTANCE);
    c.expectLines(Notices.USERNAME_TAKEN);
    c.expectRegister("bob");
    c.connection.tell(ConnectionActor.Waiting.INSTANCE);
    c.expectLines(Notices.WAIT);
  }

  @Test
  void s3_7_quitInTheNamePhaseSaysByeAndCloses() {
    Client c = new Client();
    c.send("/QUIT");
    c.expectLines(Notices.BYE);
    c.expectOutputCompleted();
    c.expectStopped();
    c.matchmaker.expectNoMessage(Duration.ZERO); // never registered, nothing to release
  }

  @Test
  void s3_5_noValidNameWithinTheHandshakeTimeoutIsTimedOut() {
    Client c = new Client();
    c.send("bad name");
    c.expectLines(Notices.INVALID_USERNAME); // the actor is up and its clock is running
    manualTime.timePasses(SETTINGS.handshakeTimeout().minusSeconds(1));
    c.output.expectNoMessage(QUIET);
    manualTime.timePasses(Duration.ofSeconds(1));
    c.expectLines(Notices.TIMEOUT);
    c.expectOutputCompleted();
    c.expectStopped();
    c.matchmaker.expectNoMessage(Duration.ZERO);
  }

  @Test
  void s3_5_takenNameDoesNotStopTheHandshakeClock() {
    Client c = new Client();
    c.send("alice");
    c.expectRegister("alice");
    c.connection.tell(ConnectionActor.NameTaken.INSTANCE);
    c.expectLines(Notices.USERNAME_TAKEN);
    manualTime.timePasses(SETTINGS.handshakeTimeout());
    c.expectLines(Notices.TIMEOUT);
    c.expectOutputCompleted();
    c.expectStopped();
  }

  @Test
  void s3_5_timeoutWhileTheNameIsBeingRegisteredReleasesIt() {
    Client c = new Client();
    c.send("alice");
    c.expectRegister("alice"); // the matchmaker has not answered yet
    manualTime.timePasses(SETTINGS.handshakeTimeout());
    c.expectLines(Notices.TIMEOUT);
    c.matchmaker.expectMessage(WAIT, new MatchmakerActor.Unregister(c.peer));
    c.expectOutputCompleted();
    c.connection.tell(ConnectionActor.Waiting.INSTANCE); // the late answer changes nothing
    c.expectStopped();
    c.output.expectNoMessage(QUIET);
  }

  @Test
  void s3_5_acceptedNameStopsTheHandshakeClock() {
    Client c = new Client();
    c.waiting("alice");
    manualTime.timePasses(SETTINGS.handshakeTimeout().plusSeconds(1));
    c.output.expectNoMessage(QUIET);
    c.send("still here");
    c.expectLines(Notices.NOT_MATCHED);
  }

  // ---------------------------------------------------------------- §4 waiting, §6 commands

  @Test
  void s4_5_chatLineWhileWaitingIsAnsweredNotMatched() {
    Client c = new Client();
    c.waiting("alice");
    c.send("is anybody there?");
    c.expectLines(Notices.NOT_MATCHED);
    c.matchmaker.expectNoMessage(QUIET);
  }

  @Test
  void s6_commandsWhileWaiting() {
    Client c = new Client();
    c.waiting("alice");
    c.send("/next", "/HELP", "/quit now", "/whatever", "   ");
    c.expectLines(Notices.WAIT, Notices.HELP, Notices.UNKNOWN_COMMAND, Notices.UNKNOWN_COMMAND);
    c.output.expectNoMessage(QUIET); // the blank line is ignored
    c.matchmaker.expectNoMessage(Duration.ZERO);
  }

  @Test
  void s4_5_quitWhileWaitingUnregistersSaysByeAndCloses() {
    Client c = new Client();
    c.waiting("alice");
    c.send("/quit");
    MatchmakerActor.Quit quit = c.matchmaker.expectMessageClass(MatchmakerActor.Quit.class, WAIT);
    assertEquals(c.peer, quit.connection());
    // "bye" waits until the matchmaker has let the name go: nobody is matched with us after it
    c.output.expectNoMessage(QUIET);
    quit.replyTo().tell(ConnectionActor.Released.INSTANCE);
    c.expectLines(Notices.BYE);
    c.expectOutputCompleted();
    c.expectStopped();
  }

  @Test
  void s7_inputClosedWhileWaitingUnregisters() {
    Client c = new Client();
    c.waiting("alice");
    c.closeInput();
    c.matchmaker.expectMessage(WAIT, new MatchmakerActor.Unregister(c.peer));
    c.expectOutputCompleted();
    c.expectStopped();
  }

  @Test
  void s4_3_matchedIsAnnounced() {
    Client c = new Client();
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation =
        testKit.createTestProbe(ConversationActor.Command.class);
    c.connection.tell(new ConnectionActor.Matched(conversation.ref(), "bob"));
    c.expectLines("matched to bob");
  }

  @Test
  void s4_3_matchedStraightAfterRegisterNeedsNoWait() {
    Client c = new Client();
    c.send("alice", "hi bob");
    c.expectRegister("alice");
    TestProbe<ConversationActor.Command> conversation =
        testKit.createTestProbe(ConversationActor.Command.class);
    c.connection.tell(new ConnectionActor.Matched(conversation.ref(), "bob"));
    c.expectLines("matched to bob"); // no "wait" first
    conversation.expectMessage(WAIT, say(c, "hi bob")); // the held line is said to bob
  }

  // ---------------------------------------------------------------- §5 chatting

  @Test
  void s5_1_chatLineIsSaidToTheConversation() {
    Client c = new Client();
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    c.send("hello bob: how are you? /help");
    conversation.expectMessage(WAIT, say(c, "hello bob: how are you? /help"));
    c.connection.tell(new ConnectionActor.Delivered(conversation.ref()));
    c.send(" \t", "", "second");
    conversation.expectMessage(WAIT, say(c, "second")); // blank lines are ignored
    c.output.expectNoMessage(QUIET); // nothing is echoed
  }

  @Test
  void s5_4_nextLinesWaitUntilTheConversationConfirmsDelivery() {
    Client c = new Client();
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    c.send("one");
    conversation.expectMessage(WAIT, say(c, "one"));
    c.send("two");
    conversation.expectNoMessage(QUIET); // input is held back until "one" is Delivered
    TestProbe<ConversationActor.Command> other =
        testKit.createTestProbe(ConversationActor.Command.class);
    c.connection.tell(new ConnectionActor.Delivered(other.ref())); // not ours: changes nothing
    conversation.expectNoMessage(QUIET);
    c.connection.tell(new ConnectionActor.Delivered(conversation.ref()));
    conversation.expectMessage(WAIT, say(c, "two"));
  }

  @Test
  void aWindowOfTwoLetsASecondBatchGoBeforeTheFirstIsConfirmedButNotAThird() {
    Client c = new Client(true, TestServers.settings("inbound-window = 2").connection());
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    c.send("one");
    conversation.expectMessage(WAIT, say(c, "one"));
    c.send("two");
    conversation.expectMessage(WAIT, say(c, "two")); // "one" is not confirmed yet
    c.send("three");
    conversation.expectNoMessage(QUIET); // two batches on their way: input is held
    c.connection.tell(new ConnectionActor.Delivered(conversation.ref()));
    conversation.expectMessage(WAIT, say(c, "three"));
  }

  @Test
  void s1_badLinesWhileChattingAreAnsweredAndNotSaid() {
    Client c = new Client();
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    c.send("\u001b[2Jgotcha");
    c.send("z".repeat(SETTINGS.maxLineBytes() + 1));
    c.expectLines(Notices.INVALID_MESSAGE, Notices.MESSAGE_TOO_LONG);
    conversation.expectNoMessage(QUIET);
  }

  @Test
  void s5_1_deliverIsWrittenAsChatLinesAndAcked() {
    Client c = new Client();
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    TestProbe<ConnectionActor.ConversationEvent> bob =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class);
    c.connection.tell(
        new ConnectionActor.Deliver(
            conversation.ref(), "bob", List.of("hi alice", "what: now? /next"), bob.ref()));
    c.expectLines("bob: hi alice", "bob: what: now? /next");
    bob.expectMessage(WAIT, new ConnectionActor.Delivered(conversation.ref()));
  }

  @Test
  void s5_2_bothDirectionsFlowIndependently() {
    Client c = new Client();
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    TestProbe<ConnectionActor.ConversationEvent> bob =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class);
    c.send("mine");
    conversation.expectMessage(WAIT, say(c, "mine"));
    // our Say is unconfirmed, yet bob's lines are still written
    c.connection.tell(
        new ConnectionActor.Deliver(conversation.ref(), "bob", List.of("theirs"), bob.ref()));
    c.expectLines("bob: theirs");
    bob.expectMessage(WAIT, new ConnectionActor.Delivered(conversation.ref()));
  }

  @Test
  void s6_partnerLeftIsAnnouncedAfterItsLinesAndReleased() {
    Client c = new Client();
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    TestProbe<ConnectionActor.ConversationEvent> bob =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class);
    c.connection.tell(
        new ConnectionActor.Deliver(conversation.ref(), "bob", List.of("gotta go"), bob.ref()));
    c.connection.tell(new ConnectionActor.PartnerLeft(conversation.ref()));
    c.expectLines("bob: gotta go", Notices.PARTNER_LEFT);
    conversation.expectMessage(WAIT, new ConversationActor.Release(c.peer));
    // the matchmaker requeues us by itself; until it answers, input is held
    c.send("hello?");
    c.output.expectNoMessage(QUIET);
    conversation.expectNoMessage(Duration.ZERO);
    c.connection.tell(ConnectionActor.Waiting.INSTANCE);
    c.expectLines(Notices.WAIT, Notices.NOT_MATCHED);
  }

  @Test
  void s5_3_linesThatMissTheirPartnerAreAnsweredNotMatched() {
    Client c = new Client();
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    c.send("one");
    conversation.expectMessage(WAIT, say(c, "one"));
    c.send("two"); // a later read waits until "one" is confirmed
    c.connection.tell(new ConnectionActor.PartnerLeft(conversation.ref()));
    c.connection.tell(new ConnectionActor.NotDelivered(conversation.ref(), 1));
    c.expectLines(Notices.PARTNER_LEFT, Notices.NOT_MATCHED);
    conversation.expectMessage(WAIT, new ConversationActor.Release(c.peer));
    // "two" is read once the matchmaker has requeued us, and is not lost in silence either
    c.output.expectNoMessage(QUIET);
    c.connection.tell(ConnectionActor.Waiting.INSTANCE);
    c.expectLines(Notices.WAIT, Notices.NOT_MATCHED);
    conversation.expectNoMessage(Duration.ZERO);
  }

  @Test
  void s6_nextWhileChattingLeavesWithNextAfterThePendingLines() {
    Client c = new Client();
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    c.send("see you");
    conversation.expectMessage(WAIT, say(c, "see you"));
    c.send("/next");
    // §5.4: nothing more is read, commands included, until the line is confirmed
    conversation.expectNoMessage(QUIET);
    c.connection.tell(new ConnectionActor.Delivered(conversation.ref()));
    conversation.expectMessage(WAIT, new ConversationActor.Leave(c.peer, true));
    c.matchmaker.expectNoMessage(QUIET); // the conversation reports the end, not us
    // a line of bob's still on its way is confirmed but not shown
    TestProbe<ConnectionActor.ConversationEvent> bob =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class);
    c.connection.tell(
        new ConnectionActor.Deliver(conversation.ref(), "bob", List.of("late"), bob.ref()));
    bob.expectMessage(WAIT, new ConnectionActor.Delivered(conversation.ref()));
    c.connection.tell(new ConnectionActor.LeaveConfirmed(conversation.ref()));
    c.connection.tell(ConnectionActor.Waiting.INSTANCE);
    c.expectLines(Notices.WAIT);
  }

  @Test
  void s6_quitWhileChattingLeavesUnregistersAndCloses() {
    Client c = new Client();
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    c.send("bye bob", "/quit", "never read");
    conversation.expectMessage(WAIT, say(c, "bye bob"));
    c.connection.tell(new ConnectionActor.Delivered(conversation.ref()));
    conversation.expectMessage(WAIT, new ConversationActor.Leave(c.peer, false));
    MatchmakerActor.Quit quit = c.matchmaker.expectMessageClass(MatchmakerActor.Quit.class, WAIT);
    quit.replyTo().tell(ConnectionActor.Released.INSTANCE);
    c.expectLines(Notices.BYE);
    c.expectOutputCompleted();
    c.connection.tell(new ConnectionActor.LeaveConfirmed(conversation.ref()));
    c.expectStopped();
    conversation.expectNoMessage(Duration.ZERO);
  }

  @Test
  void s7_inputClosedWhileChattingSaysTheLastLinesThenLeaves() {
    Client c = new Client();
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    c.send("last");
    conversation.expectMessage(WAIT, say(c, "last"));
    c.send("words");
    c.closeInput();
    c.connection.tell(new ConnectionActor.Delivered(conversation.ref()));
    conversation.expectMessage(WAIT, say(c, "words"));
    // the sink reports the end of input once its last batch is acked, i.e. "words" confirmed
    c.connection.tell(new ConnectionActor.Delivered(conversation.ref()));
    conversation.expectMessage(WAIT, new ConversationActor.Leave(c.peer, false));
    c.matchmaker.expectMessage(WAIT, new MatchmakerActor.Unregister(c.peer));
    c.expectOutputCompleted();
    c.connection.tell(new ConnectionActor.LeaveConfirmed(conversation.ref()));
    c.expectStopped();
  }

  @Test
  void s7_connectionBrokenWhileChattingLeaves() {
    Client c = new Client();
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    c.dropConnection();
    conversation.expectMessage(WAIT, new ConversationActor.Leave(c.peer, false));
    c.matchmaker.expectMessage(WAIT, new MatchmakerActor.Unregister(c.peer));
    c.connection.tell(new ConnectionActor.LeaveConfirmed(conversation.ref()));
    c.expectStopped();
  }

  // ---------------------------------------------------------------- §5.4 slow reader

  /** alice reads nothing; bob (a probe) talks to her through a real conversation. */
  private static final class SlowReaderScene {
    final Client alice = new Client(false);
    final TestProbe<ConnectionActor.ConversationEvent> bob =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class);
    final ActorRef<ConversationActor.Command> conversation;

    SlowReaderScene() {
      alice.send("alice");
      alice.expectRegister("alice");
      alice.connection.tell(ConnectionActor.Waiting.INSTANCE); // "wait" is never taken: no Written
      conversation =
          testKit.spawn(
              ConversationActor.create(
                  alice.peer, "alice", bob.ref(), "bob", alice.matchmaker.ref().narrow()),
              "conversation-" + ids.incrementAndGet());
      bob.expectMessage(WAIT, new ConnectionActor.Matched(conversation, "alice"));
      conversation.tell(new ConversationActor.Say(bob.ref(), List.of("alice?")));
      // alice has taken the line (her queue is far below the mark): she is chatting now
      bob.expectMessage(WAIT, new ConnectionActor.Delivered(conversation));
    }
  }

  @Test
  void s5_4_readerThatBlocksForTheSlowReaderTimeoutIsDroppedAndItsPartnerTold() {
    SlowReaderScene s = new SlowReaderScene();
    manualTime.timePasses(SETTINGS.slowReaderTimeout().minusSeconds(1));
    s.bob.expectNoMessage(QUIET);
    s.alice.output.expectNoMessage(Duration.ZERO);
    manualTime.timePasses(Duration.ofSeconds(1));
    s.bob.expectMessage(WAIT, new ConnectionActor.PartnerLeft(s.conversation));
    s.alice.output.expectMessage(WAIT, FAILED + " SlowReaderException"); // dropped, not closed
    Set<MatchmakerActor.Command> told =
        new HashSet<>(s.alice.matchmaker.receiveSeveralMessages(2, WAIT));
    assertEquals(
        Set.of(
            new MatchmakerActor.Unregister(s.alice.peer),
            new MatchmakerActor.ConversationEnded(s.bob.ref(), s.alice.peer, false)),
        told);
    s.alice.expectStopped();
  }

  @Test
  void s5_4_readerThatResumesBeforeTheTimeoutIsKept() {
    SlowReaderScene s = new SlowReaderScene();
    manualTime.timePasses(SETTINGS.slowReaderTimeout().minusSeconds(1));
    s.alice.startReading();
    // "matched to bob" goes out only after "wait" was confirmed written: the first stall is over
    s.alice.expectLines(Notices.WAIT, "matched to bob", "bob: alice?");
    manualTime.timePasses(Duration.ofSeconds(2));
    s.bob.expectNoMessage(QUIET);
    s.alice.output.expectNoMessage(Duration.ZERO);
    s.conversation.tell(new ConversationActor.Say(s.bob.ref(), List.of("there you are")));
    s.alice.expectLines("bob: there you are");
    s.bob.expectMessage(WAIT, new ConnectionActor.Delivered(s.conversation));
  }

  // ---------------------------------------------------------------- §7 shutdown

  @Test
  void s7_shutdownNoticeFollowsTheQueuedOutputThenTheOutputCompletes() {
    Client c = new Client(false);
    c.send("alice");
    c.expectRegister("alice");
    c.connection.tell(ConnectionActor.Waiting.INSTANCE);
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    TestProbe<ConnectionActor.ConversationEvent> bob =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class);
    c.connection.tell(
        new ConnectionActor.Deliver(conversation.ref(), "bob", List.of("one", "two"), bob.ref()));
    c.connection.tell(ConnectionActor.ServerShuttingDown.INSTANCE);
    bob.expectMessage(WAIT, new ConnectionActor.Delivered(conversation.ref()));
    // the partner hears of the shutdown through the conversation, never as "partner left"
    conversation.expectMessage(WAIT, new ConversationActor.ServerStopping(c.peer));
    c.output.expectNoMessage(QUIET); // everything is still queued: the client reads nothing yet
    c.startReading();
    c.expectLines(
        Notices.WAIT, "matched to bob", "bob: one", "bob: two", Notices.SERVER_SHUTTING_DOWN);
    c.expectOutputCompleted();
    c.expectStopped();
  }

  @Test
  void s7_shutdownInTheNamePhase() {
    Client c = new Client();
    c.send("bad name");
    c.expectLines(Notices.INVALID_USERNAME);
    c.connection.tell(ConnectionActor.ServerShuttingDown.INSTANCE);
    c.expectLines(Notices.SERVER_SHUTTING_DOWN);
    c.expectOutputCompleted();
    c.expectStopped();
    c.matchmaker.expectNoMessage(Duration.ZERO);
  }

  // ---------------------------------------------------------------- regressions

  @Test
  void s5_3_linesOfOneReadGoTogetherAndACommandAmongThemKeepsItsPlace() {
    Client c = new Client();
    c.waiting("alice");
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    c.send("one", "two", "/next", "three");
    conversation.expectMessage(WAIT, say(c, "one", "two"));
    conversation.expectMessage(WAIT, new ConversationActor.Leave(c.peer, true));
    c.connection.tell(ConnectionActor.Waiting.INSTANCE);
    c.expectLines(Notices.WAIT, Notices.NOT_MATCHED); // "three" came after /next
  }

  @Test
  void s3_6_s7_clientWhoseSocketDiesWithOutputOverTheMarkStillLeaves() {
    Client c = new Client(false);
    String[] bad = java.util.Collections.nCopies(500, "x y").toArray(new String[0]);
    for (int i = 0; i < 7; i++) c.send(bad);
    c.send(java.util.Collections.nCopies(355, "x y").toArray(new String[0])); // 65535 bytes queued
    c.send("mallory");
    c.expectRegister("mallory");
    c.send("/help"); // read by the stream, held while registering
    c.connection.tell(ConnectionActor.Waiting.INSTANCE); // "wait\n" crosses the mark
    c.dropConnection();
    c.matchmaker.expectMessage(WAIT, new MatchmakerActor.Unregister(c.peer));
    testKit.createTestProbe().expectTerminated(c.connection, WAIT);
  }

  @Test
  void s7_aLineHeldOnTheMarkStillLetsADeadSocketLeave() {
    Client c = new Client(false);
    c.waiting("alice");
    // 4,500 answers nobody reads (70 KiB): the output passes its mark, and the next line waits
    String[] bad = java.util.Collections.nCopies(4500, "\u0007").toArray(new String[0]);
    c.send(bad);
    c.matchmaker.expectNoMessage(QUIET); // the batch is answered and acked meanwhile
    c.send("/help");
    c.dropConnection();
    c.matchmaker.expectMessage(WAIT, new MatchmakerActor.Unregister(c.peer));
    testKit.createTestProbe().expectTerminated(c.connection, WAIT);
  }

  @Test
  void s5_4_partnerLinesForADeadSocketAreConfirmedAtOnce() {
    Client c = new Client(false);
    c.send("alice");
    c.expectRegister("alice");
    c.connection.tell(ConnectionActor.Waiting.INSTANCE);
    TestProbe<ConversationActor.Command> conversation = c.matched("bob");
    TestProbe<ConnectionActor.ConversationEvent> bob =
        testKit.createTestProbe(ConnectionActor.ConversationEvent.class);
    List<String> flood = java.util.Collections.nCopies(20, "x".repeat(4000));
    c.connection.tell(new ConnectionActor.Deliver(conversation.ref(), "bob", flood, bob.ref()));
    bob.expectNoMessage(QUIET); // over the mark: held while alice reads nothing
    c.send("/help");
    c.dropConnection();
    bob.expectMessage(WAIT, new ConnectionActor.Delivered(conversation.ref()));
    c.connection.tell(
        new ConnectionActor.Deliver(conversation.ref(), "bob", List.of("more"), bob.ref()));
    bob.expectMessage(WAIT, new ConnectionActor.Delivered(conversation.ref()));
  }
}
