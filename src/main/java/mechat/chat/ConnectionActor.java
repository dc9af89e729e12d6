package mechat.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import mechat.protocol.Frame;
import mechat.protocol.LineEncoder;
import mechat.protocol.Notices;
import mechat.protocol.SlashCommand;
import mechat.protocol.Username;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and its protocol state (§3–§7), in six phases: awaiting a name, registering
 * it, waiting, chatting, requeuing after a conversation, closing. Each phase is a {@link Phase}
 * that says in one place what it does with an input line and with each message of the matchmaker
 * and the conversation.
 *
 * <p>The input side (batches, acks, the window, the rate limit) is an {@link Inbox}, the output
 * side an {@link Outbox}, and {@link ConnectionStream} joins both to the client. A batch is acked
 * only once its lines are handled and those routed to the partner are confirmed {@code Delivered};
 * the partner confirms only while its output is under its high-water mark. So a slow reader holds
 * its sender back through TCP flow control, and memory stays bounded (§5.4).
 */
public final class ConnectionActor extends AbstractBehavior<ConnectionActor.Command> {

  public sealed interface Command {}

  /** What the matchmaker may send a connection. */
  public sealed interface MatchmakerReply extends Command, CborSerializable {}

  /** What a conversation, or the partner's connection for its acks, may send a connection. */
  public sealed interface ConversationEvent extends Command, CborSerializable {}

  /** The proposed name is held by another client. */
  public enum NameTaken implements MatchmakerReply {
    INSTANCE
  }

  /** Queued: nobody suitable is waiting. */
  public enum Waiting implements MatchmakerReply {
    INSTANCE
  }

  /** From a new conversation: paired with {@code partnerName}. */
  public record Matched(ActorRef<ConversationActor.Command> conversation, String partnerName)
      implements ConversationEvent {}

  /** Lines of the partner, to be written; confirmed to {@code ackTo} with Delivered. */
  public record Deliver(
      ActorRef<ConversationActor.Command> conversation,
      String sender,
      List<String> texts,
      ActorRef<ConversationEvent> ackTo)
      implements ConversationEvent {}

  /** The partner has queued a Say of ours and has room for more. */
  public record Delivered(ActorRef<ConversationActor.Command> conversation)
      implements ConversationEvent {}

  /** The conversation had already ended when our lines reached it. */
  public record NotDelivered(ActorRef<ConversationActor.Command> conversation, int lines)
      implements ConversationEvent {}

  /** The partner left; every line it sent before has been delivered already. */
  public record PartnerLeft(ActorRef<ConversationActor.Command> conversation)
      implements ConversationEvent {}

  /** The conversation has taken our Leave: no line of ours is still on its way through it. */
  public record LeaveConfirmed(ActorRef<ConversationActor.Command> conversation)
      implements ConversationEvent {}

  /** Say goodbye after what is queued, and close (§7): from the server, or the partner's side. */
  public enum ServerShuttingDown implements ConversationEvent {
    INSTANCE
  }

  /** Messages of this connection's own stream and timers. */
  non-sealed interface Internal extends Command, NoSerializationVerificationNeeded {}

  private enum HandshakeTimedOut implements Internal {
    INSTANCE
  }

  private enum WriteStalled implements Internal {
    INSTANCE
  }

  private enum LeaveTimedOut implements Internal {
    INSTANCE
  }

  /** The rate limit has a token again. */
  private enum RateTick implements Internal {
    INSTANCE
  }

  private static final Duration LEAVE_CONFIRM_TIMEOUT = Duration.ofSeconds(5);

  /** One logger for all connections: getContext().getLog() would walk the stack per actor. */
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionActor.class);

  private final ConnectionSettings settings;
  private final ActorRef<MatchmakerActor.Command> matchmaker;
  private final String address;
  private final ServerMetrics metrics;
  private final TimerScheduler<Command> timers;
  private final ActorRef<MatchmakerReply> forMatchmaker;
  private final ActorRef<ConversationEvent> forConversation;
  private final Inbox inbox;
  private final Outbox outbox;

  private Phase phase = new AwaitingName();
  private String name;

  /** The matchmaker holds (or is asked for) our name: it must be told when we leave. */
  private boolean nameClaimed;

  /** The name was accepted: the handshake is over. */
  private boolean registered;

  private boolean awaitingLeaveConfirm;
  private String closeReason = "disconnected";

  public static Behavior<Command> create(
      ConnectionSettings settings,
      ActorRef<MatchmakerActor.Command> matchmaker,
      String address,
      ServerMetrics metrics,
      ConnectionStream.Connector connector) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new ConnectionActor(
                        ctx, timers, settings, matchmaker, address, metrics, connector)));
  }

  private ConnectionActor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      ConnectionSettings settings,
      ActorRef<MatchmakerActor.Command> matchmaker,
      String address,
      ServerMetrics metrics,
      ConnectionStream.Connector connector) {
    super(context);
    this.settings = settings;
    this.matchmaker = matchmaker;
    this.address = address;
    this.metrics = metrics;
    this.timers = timers;
    this.forMatchmaker = context.getSelf().narrow();
    this.forConversation = context.getSelf().narrow();
    ConnectionStream.Ends ends =
        connector.connect(ConnectionStream.create(context.getSelf(), settings.inboundBatchBytes()));
    this.outbox = new Outbox(ends.out(), settings.outboundHighWaterBytes());
    this.inbox =
        new Inbox(settings.inboundWindow(), settings.rate(), settings.burst(), System.nanoTime());
    context.pipeToSelf(ends.outDone(), (done, failure) -> ConnectionStream.OutboundEnded.INSTANCE);
    timers.startSingleTimer(HandshakeTimedOut.INSTANCE, settings.handshakeTimeout());
    LOG.info("connection opened from {}", address);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ConnectionStream.InboundStarted.class, this::onInboundStarted)
        .onMessage(ConnectionStream.Inbound.class, this::onInbound)
        .onMessageEquals(ConnectionStream.InboundEnded.INSTANCE, this::onInboundEnded)
        .onMessageEquals(RateTick.INSTANCE, this::processInput)
        .onMessageEquals(ConnectionStream.Written.INSTANCE, this::onWritten)
        .onMessageEquals(ConnectionStream.OutboundEnded.INSTANCE, this::onOutboundEnded)
        .onMessageEquals(NameTaken.INSTANCE, () -> then(phase::onNameTaken))
        .onMessageEquals(Waiting.INSTANCE, () -> then(phase::onWaiting))
        .onMessage(Matched.class, m -> then(() -> phase.onMatched(m)))
        .onMessage(Deliver.class, d -> then(() -> phase.onDeliver(d)))
        .onMessage(Delivered.class, d -> then(() -> phase.onDelivered(d)))
        .onMessage(NotDelivered.class, n -> then(() -> phase.onNotDelivered(n)))
        .onMessage(PartnerLeft.class, p -> then(() -> phase.onPartnerLeft(p)))
        .onMessageEquals(ServerShuttingDown.INSTANCE, () -> then(phase::onServerShuttingDown))
        .onMessageEquals(HandshakeTimedOut.INSTANCE, () -> then(phase::onHandshakeTimedOut))
        .onMessage(LeaveConfirmed.class, c -> onLeaveConfirmed())
        .onMessageEquals(LeaveTimedOut.INSTANCE, this::onLeaveConfirmed)
        .onMessageEquals(WriteStalled.INSTANCE, this::onWriteStalled)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  /** Runs a phase's handler, then goes on with the input it may have released. */
  private Behavior<Command> then(Runnable handler) {
    handler.run();
    return processInput();
  }

  // ---------------------------------------------------------------- the phases

  /** What one phase does with each event; the defaults are what most phases do. */
  private abstract class Phase {
    /** Input waits, unread and unacked, until the matchmaker or the end decides what follows. */
    boolean holdsInput() {
      return false;
    }

    /** Whether a message line goes on from here (§5.5: only those cost a rate-limit token). */
    boolean chargesLines() {
      return false;
    }

    String invalidLineNotice() {
      return Notices.INVALID_MESSAGE;
    }

    /** A valid input line; phases that hold input never get one. */
    void onLine(Frame.Line line) {}

    /** The frames of a batch are handled. */
    void afterInput() {}

    void onNameTaken() {}

    void onWaiting() {}

    /** A match that crossed our leaving: leave it at once, the partner gets "partner left". */
    void onMatched(Matched m) {
      m.conversation().tell(new ConversationActor.Leave(forConversation, false));
    }

    /** Lines of a conversation we are not (or no longer) in: dropped, never shown. */
    void onDeliver(Deliver d) {
      d.ackTo().tell(new Delivered(d.conversation()));
    }

    void onDelivered(Delivered d) {}

    void onNotDelivered(NotDelivered n) {
      for (int i = 0; i < n.lines(); i++) notice(Notices.NOT_MATCHED);
    }

    void onPartnerLeft(PartnerLeft p) {}

    void onServerShuttingDown() {
      notice(Notices.SERVER_SHUTTING_DOWN);
      startClosing("server shutting down", null);
    }

    void onHandshakeTimedOut() {}

    /** The client leaves for good, from this phase. */
    void onLeaving() {}
  }

  private final class AwaitingName extends Phase {
    @Override
    boolean chargesLines() {
      return true;
    }

    @Override
    String invalidLineNotice() {
      return Notices.INVALID_USERNAME;
    }

    @Override
    void onLine(Frame.Line line) {
      String proposed = Username.trim(line.text());
      if (SlashCommand.parse(proposed).orElse(null) == SlashCommand.QUIT) {
        quit();
      } else if (!Username.isValid(proposed)) {
        notice(Notices.INVALID_USERNAME);
      } else {
        name = proposed;
        nameClaimed = true;
        matchmaker.tell(
            new MatchmakerActor.Register(proposed, address, forMatchmaker, forConversation));
        phase = new Registering();
      }
    }

    @Override
    void onHandshakeTimedOut() {
      timedOut();
    }
  }

  private final class Registering extends Phase {
    @Override
    boolean holdsInput() {
      return true;
    }

    @Override
    void onNameTaken() {
      name = null;
      nameClaimed = false;
      notice(Notices.USERNAME_TAKEN);
      phase = new AwaitingName();
    }

    @Override
    void onWaiting() {
      nameAccepted();
      startWaiting();
    }

    @Override
    void onMatched(Matched m) {
      startChatting(m);
    }

    @Override
    void onHandshakeTimedOut() {
      timedOut();
    }
  }

  /** A phase with a name: commands work, and other lines are messages (§6). */
  private abstract class Named extends Phase {
    @Override
    void onLine(Frame.Line line) {
      if (line.isBlank()) return;
      Optional<SlashCommand> command = SlashCommand.parse(line.text());
      if (command.isEmpty()) {
        onMessage(line.text());
        return;
      }
      switch (command.get()) {
        case QUIT -> quit();
        case NEXT -> onNext();
        case HELP -> notice(Notices.HELP);
        default -> notice(Notices.UNKNOWN_COMMAND);
      }
    }

    abstract void onMessage(String text);

    abstract void onNext();
  }

  private final class WaitingForPartner extends Named {
    @Override
    void onMessage(String text) {
      notice(Notices.NOT_MATCHED);
    }

    @Override
    void onNext() {
      notice(Notices.WAIT);
    }

    @Override
    void onMatched(Matched m) {
      startChatting(m);
    }
  }

  private final class Chatting extends Named {
    private final ActorRef<ConversationActor.Command> conversation;
    private final List<String> says = new ArrayList<>();

    Chatting(ActorRef<ConversationActor.Command> conversation) {
      this.conversation = conversation;
    }

    @Override
    boolean chargesLines() {
      return true;
    }

    @Override
    void onMessage(String text) {
      says.add(text);
    }

    @Override
    void afterInput() {
      if (says.isEmpty()) return;
      conversation.tell(new ConversationActor.Say(forConversation, List.copyOf(says)));
      says.clear();
      inbox.sent();
    }

    @Override
    void onNext() {
      leaveConversation(true);
      phase = new Requeuing();
    }

    @Override
    void onLeaving() {
      leaveConversation(false);
    }

    private void leaveConversation(boolean byNext) {
      afterInput();
      conversation.tell(new ConversationActor.Leave(forConversation, byNext));
      inbox.resetWindow();
      awaitingLeaveConfirm = true;
      timers.startSingleTimer(LeaveTimedOut.INSTANCE, LEAVE_CONFIRM_TIMEOUT);
    }

    @Override
    void onDeliver(Deliver d) {
      if (outbox.isEnded() || !d.conversation().equals(conversation)) {
        super.onDeliver(d);
        return;
      }
      send(LineEncoder.chatLines(d.sender(), d.texts()));
      metrics.relayed(d.texts().size());
      outbox.confirm(d.ackTo(), new Delivered(d.conversation()));
    }

    @Override
    void onDelivered(Delivered d) {
      if (d.conversation().equals(conversation)) inbox.confirmed();
    }

    @Override
    void onPartnerLeft(PartnerLeft p) {
      if (!p.conversation().equals(conversation)) return; // one we left ourselves
      afterInput();
      conversation.tell(new ConversationActor.Release(forConversation));
      inbox.resetWindow();
      notice(Notices.PARTNER_LEFT);
      phase = new Requeuing(); // the matchmaker requeues us: Waiting or Matched follows
    }

    @Override
    void onServerShuttingDown() {
      // tell the partner through the conversation, so that it never sees "partner left" first
      conversation.tell(new ConversationActor.ServerStopping(forConversation));
      notice(Notices.SERVER_SHUTTING_DOWN);
      startClosing("server shutting down", conversation);
    }
  }

  /** Out of a conversation (by /next or "partner left"); the matchmaker answers next. */
  private final class Requeuing extends Phase {
    @Override
    boolean holdsInput() {
      return true;
    }

    @Override
    void onWaiting() {
      startWaiting();
    }

    @Override
    void onMatched(Matched m) {
      startChatting(m);
    }
  }

  private final class Closing extends Phase {
    /** A conversation still to release when its "partner left" comes, or null. */
    private final ActorRef<ConversationActor.Command> conversation;

    Closing(ActorRef<ConversationActor.Command> conversation) {
      this.conversation = conversation;
    }

    @Override
    boolean holdsInput() {
      return true;
    }

    @Override
    void onNotDelivered(NotDelivered n) {}

    @Override
    void onPartnerLeft(PartnerLeft p) {
      if (p.conversation().equals(conversation)) {
        conversation.tell(new ConversationActor.Release(forConversation));
      }
    }

    @Override
    void onServerShuttingDown() {}
  }

  // ---------------------------------------------------------------- transitions

  private void nameAccepted() {
    if (registered) return;
    registered = true;
    timers.cancel(HandshakeTimedOut.INSTANCE);
  }

  private void startWaiting() {
    notice(Notices.WAIT);
    phase = new WaitingForPartner();
  }

  private void startChatting(Matched m) {
    nameAccepted();
    inbox.resetWindow();
    notice(Notices.matchedTo(m.partnerName()));
    phase = new Chatting(m.conversation());
  }

  private void timedOut() {
    notice(Notices.TIMEOUT);
    leave("handshake timeout");
  }

  private void quit() {
    notice(Notices.BYE);
    leave("quit");
  }

  /** Leaves for good: out of the conversation and the registry, then close the output. */
  private void leave(String reason) {
    phase.onLeaving();
    if (nameClaimed) matchmaker.tell(new MatchmakerActor.Unregister(forConversation));
    startClosing(reason, null);
  }

  private void startClosing(String reason, ActorRef<ConversationActor.Command> toRelease) {
    phase = new Closing(toRelease);
    closeReason = reason;
    inbox.clear();
    outbox.close();
  }

  private Behavior<Command> stopIfDone() {
    if (phase instanceof Closing && outbox.isEnded() && !awaitingLeaveConfirm) {
      return Behaviors.stopped();
    }
    return this;
  }

  // ---------------------------------------------------------------- input

  private Behavior<Command> onInboundStarted(ConnectionStream.InboundStarted s) {
    s.ackTo().tell(ConnectionStream.Ack.INSTANCE);
    return this;
  }

  private Behavior<Command> onInbound(ConnectionStream.Inbound in) {
    inbox.onBatch(in.ackTo(), in.frames(), !(phase instanceof Closing));
    return processInput();
  }

  private Behavior<Command> onInboundEnded() {
    inbox.onEnded();
    return processInput();
  }

  /** Handles frames until input must wait (for the matchmaker or the rate limit), then acks. */
  private Behavior<Command> processInput() {
    while (inbox.hasFrame() && !phase.holdsInput()) {
      if (costsToken(inbox.peek())) {
        long wait = inbox.takeToken(System.nanoTime());
        if (wait > 0) {
          if (!timers.isTimerActive(RateTick.INSTANCE)) {
            timers.startSingleTimer(RateTick.INSTANCE, Duration.ofNanos(wait));
          }
          break;
        }
      }
      handle(inbox.take());
    }
    phase.afterInput();
    if (inbox.isFinished() && !phase.holdsInput()) leave("disconnected");
    inbox.ackIfReady(!phase.holdsInput() && !outbox.isOverHighWater());
    return stopIfDone();
  }

  /**
   * The rate limit (§5.5) applies to what goes on from here: a chat message to the partner, a
   * proposed name to the matchmaker. Lines answered on the spot (commands, "not matched", invalid
   * or over-long lines) are free, so a backlog of them is worked through at once.
   */
  private boolean costsToken(Frame frame) {
    return phase.chargesLines()
        && frame instanceof Frame.Line line
        && !line.isBlank()
        && !line.text().startsWith("/");
  }

  private void handle(Frame frame) {
    if (frame instanceof Frame.Line line) {
      phase.onLine(line);
    } else if (frame == Frame.TooLong.INSTANCE) {
      notice(Notices.MESSAGE_TOO_LONG);
    } else {
      notice(phase.invalidLineNotice());
    }
  }

  // ---------------------------------------------------------------- output and the end

  private void notice(String text) {
    send(LineEncoder.notice(text));
  }

  /** Queues output; each element handed to the stream (re)starts the slow-reader clock. */
  private void send(ByteString bytes) {
    if (outbox.offer(bytes)) startStallClock();
  }

  private Behavior<Command> onWritten() {
    timers.cancel(WriteStalled.INSTANCE);
    if (outbox.onWritten()) startStallClock();
    inbox.ackIfReady(!phase.holdsInput() && !outbox.isOverHighWater());
    return this;
  }

  private void startStallClock() {
    timers.startSingleTimer(WriteStalled.INSTANCE, settings.slowReaderTimeout());
  }

  private Behavior<Command> onOutboundEnded() {
    outbox.onEnded();
    timers.cancel(WriteStalled.INSTANCE);
    if (!(phase instanceof Closing) && inbox.isFinished()) leave("disconnected");
    // Otherwise input is acked again, runs to its end, and then we leave (lines read are kept).
    inbox.ackIfReady(!phase.holdsInput() && !outbox.isOverHighWater());
    return stopIfDone();
  }

  private Behavior<Command> onWriteStalled() {
    LOG.warn(
        "dropping {} [{}]: read nothing for {} s while output was pending",
        address,
        name,
        settings.slowReaderTimeout().toSeconds());
    if (!(phase instanceof Closing)) leave("slow reader");
    closeReason = "slow reader";
    outbox.abort();
    return stopIfDone();
  }

  private Behavior<Command> onLeaveConfirmed() {
    awaitingLeaveConfirm = false;
    timers.cancel(LeaveTimedOut.INSTANCE);
    return stopIfDone();
  }

  private Behavior<Command> onPostStop() {
    outbox.releaseHeldAcks();
    LOG.info(
        "connection closed from {}{} ({})",
        address,
        name == null || !registered ? "" : " [" + name + "]",
        closeReason);
    return this;
  }
}
