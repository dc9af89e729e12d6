package mechat.server;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import mechat.protocol.ClientCommand;
import mechat.protocol.Frame;
import mechat.protocol.LineDecoder;
import mechat.protocol.Notices;
import mechat.protocol.Username;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and its protocol state: awaiting a name, waiting, chatting (§3–§6).
 *
 * <p>Input arrives from an {@code ActorSink} as batches of decoded frames; the batch is acked only
 * when every frame is handled (chat messages and names at the rate limit), every line routed to
 * the partner is confirmed {@code Delivered}, and this client's own output queue is below its
 * high-water mark. Output goes through an
 * {@code ActorSource}, one element in flight at a time; a {@code Deliver} from the partner is
 * confirmed only once the queue is back under the mark. So a slow reader holds its sender back
 * through TCP flow control, and memory per connection stays bounded (§5.4).
 */
public final class ConnectionActor extends AbstractBehavior<ConnectionActor.Command> {

  public sealed interface Command {}

  /** From the matchmaker: the proposed name is held by another client. */
  public enum NameTaken implements Command, CborSerializable {
    INSTANCE
  }

  /** From the matchmaker: queued, nobody suitable is waiting. */
  public enum Waiting implements Command, CborSerializable {
    INSTANCE
  }

  /** From a new conversation: paired with {@code partnerName}. */
  public record Matched(ActorRef<ConversationActor.Command> conversation, String partnerName)
      implements Command, CborSerializable {}

  /** Lines of the partner, to be written; confirmed to {@code ackTo} with Delivered. */
  public record Deliver(
      ActorRef<ConversationActor.Command> conversation,
      String sender,
      List<String> texts,
      ActorRef<Command> ackTo)
      implements Command, CborSerializable {}

  /** The partner has queued a Say of ours and has room for more. */
  public record Delivered(ActorRef<ConversationActor.Command> conversation)
      implements Command, CborSerializable {}

  /** The conversation had already ended when our lines reached it. */
  public record NotDelivered(ActorRef<ConversationActor.Command> conversation, int lines)
      implements Command, CborSerializable {}

  /** The partner left; every line it sent before has been delivered already. */
  public record PartnerLeft(ActorRef<ConversationActor.Command> conversation)
      implements Command, CborSerializable {}

  /** The conversation has taken our Leave: no line of ours is still on its way through it. */
  public record LeaveConfirmed(ActorRef<ConversationActor.Command> conversation)
      implements Command, CborSerializable {}

  /** From the server: say goodbye after what is queued, and close (§7). */
  public enum ServerShuttingDown implements Command, CborSerializable {
    INSTANCE
  }

  /** The ack the inbound sink waits for before it sends the next batch. */
  public enum Ack {
    INSTANCE
  }

  /** Elements of the outbound source: bytes to write, or the end of the output. */
  public sealed interface Outbound {}

  public record Bytes(ByteString bytes) implements Outbound {}

  /** Close after the bytes already written (graceful). */
  public enum Close implements Outbound {
    INSTANCE
  }

  /** Drop the connection at once (a reader that stopped reading). */
  public enum Abort implements Outbound {
    INSTANCE
  }

  /** What materialising the connection flow gives: the outbound source, and its end. */
  public record StreamEnds(ActorRef<Outbound> out, CompletionStage<Done> outDone) {}

  /** Connects a flow to the client's socket (a real TCP connection, or a test harness). */
  @FunctionalInterface
  public interface Transport {
    StreamEnds connect(Flow<ByteString, ByteString, StreamEnds> flow);
  }

  private non-sealed interface Internal extends Command, NoSerializationVerificationNeeded {}

  private record InboundStarted(ActorRef<Ack> ackTo) implements Internal {}

  private record Inbound(ActorRef<Ack> ackTo, List<Frame> frames) implements Internal {}

  private enum InboundEnded implements Internal {
    INSTANCE
  }

  private enum Written implements Internal {
    INSTANCE
  }

  private enum OutboundEnded implements Internal {
    INSTANCE
  }

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

  private enum Phase {
    AWAITING_NAME,
    /** Name sent to the matchmaker; input is held until it answers. */
    REGISTERING,
    WAITING,
    CHATTING,
    /** Left a conversation (/next or partner left); input is held until the matchmaker answers. */
    REQUEUING,
    CLOSING
  }

  private static final Duration LEAVE_CONFIRM_TIMEOUT = Duration.ofSeconds(5);
  /** One logger for all connections: getContext().getLog() would walk the stack per actor. */
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionActor.class);

  private final ServerSettings settings;
  private final ActorRef<MatchmakerActor.Command> matchmaker;
  private final String address;
  private final ServerMetrics metrics;
  private final TimerScheduler<Command> timers;
  private final Outbox outbox;
  /** Null when the rate limit is off. */
  private final TokenBucket rateLimit;

  private Phase phase = Phase.AWAITING_NAME;
  private String name;
  private String closeReason = "disconnected";
  private boolean registered;

  // Conversation
  private ActorRef<ConversationActor.Command> conversation;
  private int unconfirmedSays;
  private final List<String> sayBuffer = new ArrayList<>();
  private boolean awaitingLeaveConfirm;

  // Input
  private final ArrayDeque<Frame> frames = new ArrayDeque<>();
  private ActorRef<Ack> inboundAckTo;
  private boolean inboundEnded;

  public static Behavior<Command> create(
      ServerSettings settings,
      ActorRef<MatchmakerActor.Command> matchmaker,
      String address,
      Transport transport) {
    return create(settings, matchmaker, address, new ServerMetrics(), transport);
  }

  public static Behavior<Command> create(
      ServerSettings settings,
      ActorRef<MatchmakerActor.Command> matchmaker,
      String address,
      ServerMetrics metrics,
      Transport transport) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new ConnectionActor(
                        ctx, timers, settings, matchmaker, address, metrics, transport)));
  }

  private ConnectionActor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      ServerSettings settings,
      ActorRef<MatchmakerActor.Command> matchmaker,
      String address,
      ServerMetrics metrics,
      Transport transport) {
    super(context);
    this.settings = settings;
    this.matchmaker = matchmaker;
    this.address = address;
    this.metrics = metrics;
    this.timers = timers;
    StreamEnds ends = transport.connect(connectionFlow(context.getSelf(), settings));
    this.outbox = new Outbox(ends.out(), settings.outboundHighWaterBytes());
    this.rateLimit =
        settings.rate() > 0
            ? new TokenBucket(settings.rate(), settings.burst(), System.nanoTime())
            : null;
    context.pipeToSelf(ends.outDone(), (done, failure) -> OutboundEnded.INSTANCE);
    timers.startSingleTimer(HandshakeTimedOut.INSTANCE, settings.handshakeTimeout());
    LOG.info("connection opened from {}", address);
  }

  /**
   * The per-connection stream: bytes → lines (every complete line of one TCP read as one list) →
   * batches → this actor, and this actor → bytes. While the actor is busy, the lists
   * of further reads are joined into one batch, so one message and one ack carry many lines. A
   * reset from the client ends the input like a close, so lines already read are still handled.
   */
  static Flow<ByteString, ByteString, StreamEnds> connectionFlow(
      ActorRef<Command> self, ServerSettings settings) {
    LineDecoder decoder = new LineDecoder(settings.maxLineBytes());
    Flow<ByteString, List<Frame>, ?> lines =
        Flow.of(ByteString.class).onErrorComplete().map(decoder::decode).filter(l -> !l.isEmpty());
    var sink =
        lines
            .batchWeighted(
                settings.inboundBatchBytes(),
                ConnectionActor::batchWeight,
                frames -> frames, // a fresh list per read: safe to extend
                ConnectionActor::addToBatch)
            .to(
                ActorSink.<List<Frame>, Command, Ack>actorRefWithBackpressure(
                        self,
                        Inbound::new,
                        InboundStarted::new,
                        Ack.INSTANCE,
                        InboundEnded.INSTANCE,
                        failure -> InboundEnded.INSTANCE)
                    .addAttributes(Attributes.inputBuffer(1, 1)));
    Source<ByteString, StreamEnds> source =
        ActorSource.<Outbound, Command>actorRefWithBackpressure(
                self,
                Written.INSTANCE,
                o -> o == Close.INSTANCE ? Optional.of(CompletionStrategy.draining()) : Optional.empty(),
                o -> o == Abort.INSTANCE ? Optional.of(new SlowReaderException()) : Optional.empty())
            .map(o -> ((Bytes) o).bytes())
            .watchTermination((ref, done) -> new StreamEnds(ref, done));
    return Flow.fromSinkAndSourceMat(sink, source, Keep.right());
  }

  private static Long batchWeight(List<Frame> frames) {
    long weight = 0;
    for (Frame f : frames) weight += f instanceof Frame.Line l ? 64L + l.text().length() : 64L;
    return weight;
  }

  private static List<Frame> addToBatch(List<Frame> batch, List<Frame> more) {
    batch.addAll(more);
    return batch;
  }

  /** Fails the outbound stream, which drops the TCP connection. */
  static final class SlowReaderException extends RuntimeException {
    SlowReaderException() {
      super("reader blocked its sender for too long", null, false, false);
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(InboundStarted.class, this::onInboundStarted)
        .onMessage(Inbound.class, this::onInbound)
        .onMessageEquals(InboundEnded.INSTANCE, this::onInboundEnded)
        .onMessageEquals(Written.INSTANCE, this::onWritten)
        .onMessageEquals(OutboundEnded.INSTANCE, this::onOutboundEnded)
        .onMessageEquals(NameTaken.INSTANCE, this::onNameTaken)
        .onMessageEquals(Waiting.INSTANCE, this::onWaiting)
        .onMessage(Matched.class, this::onMatched)
        .onMessage(Deliver.class, this::onDeliver)
        .onMessage(Delivered.class, this::onDelivered)
        .onMessage(NotDelivered.class, this::onNotDelivered)
        .onMessage(PartnerLeft.class, this::onPartnerLeft)
        .onMessage(LeaveConfirmed.class, this::onLeaveConfirmed)
        .onMessageEquals(ServerShuttingDown.INSTANCE, this::onServerShuttingDown)
        .onMessageEquals(HandshakeTimedOut.INSTANCE, this::onHandshakeTimedOut)
        .onMessageEquals(WriteStalled.INSTANCE, this::onWriteStalled)
        .onMessageEquals(LeaveTimedOut.INSTANCE, this::onLeaveTimedOut)
        .onMessageEquals(RateTick.INSTANCE, this::processFrames)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  // ---------------------------------------------------------------- input

  private Behavior<Command> onInboundStarted(InboundStarted s) {
    s.ackTo().tell(Ack.INSTANCE);
    return this;
  }

  private Behavior<Command> onInbound(Inbound in) {
    inboundAckTo = in.ackTo();
    if (phase != Phase.CLOSING) frames.addAll(in.frames());
    return processFrames();
  }

  private Behavior<Command> onInboundEnded() {
    inboundEnded = true;
    return processFrames();
  }

  /**
   * Handles queued frames until input must wait, for the matchmaker or the rate limit; then acks
   * if it may.
   */
  private Behavior<Command> processFrames() {
    while (!frames.isEmpty() && !isHeld() && withinRate(frames.peek())) handle(frames.poll());
    flushSays();
    if (inboundEnded && frames.isEmpty() && !isHeld() && phase != Phase.CLOSING) {
      leave("disconnected");
    }
    ackInboundIfReady();
    return stopIfDone();
  }

  /**
   * The rate limit (§5.5) applies to what goes on from here: a chat message to the partner, a
   * proposed name to the matchmaker. Lines answered on the spot (commands, 'not matched', invalid
   * or over-long lines) are free, so the server works through a backlog of them at once and
   * reaches what follows (a /quit, the end of the connection). Over the limit, the frame waits
   * for a token, unacked: the stream stops reading and TCP slows the client down.
   */
  private boolean withinRate(Frame frame) {
    if (rateLimit == null
        || !(phase == Phase.CHATTING || phase == Phase.AWAITING_NAME)
        || !(frame instanceof Frame.Line l)
        || l.isBlank()
        || l.text().startsWith("/")) {
      return true;
    }
    long now = System.nanoTime();
    if (rateLimit.tryTake(now)) return true;
    if (!timers.isTimerActive(RateTick.INSTANCE)) {
      timers.startSingleTimer(RateTick.INSTANCE, Duration.ofNanos(rateLimit.nanosUntilNext(now)));
    }
    return false;
  }

  private boolean isHeld() {
    return phase == Phase.REGISTERING || phase == Phase.REQUEUING || phase == Phase.CLOSING;
  }

  private void ackInboundIfReady() {
    if (inboundAckTo != null
        && frames.isEmpty()
        && !isHeld()
        && unconfirmedSays < settings.inboundWindow()
        && !outbox.isOverHighWater()) {
      inboundAckTo.tell(Ack.INSTANCE);
      inboundAckTo = null;
    }
  }

  private void handle(Frame frame) {
    if (frame == Frame.TooLong.INSTANCE) {
      notice(Notices.MESSAGE_TOO_LONG);
    } else if (frame == Frame.Invalid.INSTANCE) {
      notice(phase == Phase.AWAITING_NAME ? Notices.INVALID_USERNAME : Notices.INVALID_MESSAGE);
    } else if (phase == Phase.AWAITING_NAME) {
      handleProposedName(((Frame.Line) frame).text());
    } else {
      handleLine(((Frame.Line) frame));
    }
  }

  private void handleProposedName(String line) {
    String proposed = Username.trim(line);
    if (ClientCommand.parse(proposed).filter(c -> c == ClientCommand.QUIT).isPresent()) {
      quit();
    } else if (!Username.isValid(proposed)) {
      notice(Notices.INVALID_USERNAME);
    } else {
      phase = Phase.REGISTERING;
      name = proposed;
      matchmaker.tell(new MatchmakerActor.Register(proposed, address, getContext().getSelf()));
    }
  }

  private void handleLine(Frame.Line line) {
    if (line.isBlank()) return;
    Optional<ClientCommand> command = ClientCommand.parse(line.text());
    if (command.isEmpty()) {
      if (phase == Phase.CHATTING) sayBuffer.add(line.text());
      else notice(Notices.NOT_MATCHED);
      return;
    }
    switch (command.get()) {
      case QUIT -> quit();
      case NEXT -> next();
      case HELP -> notice(Notices.HELP);
      default -> notice(Notices.UNKNOWN_COMMAND);
    }
  }

  private void next() {
    if (phase != Phase.CHATTING) {
      notice(Notices.WAIT);
      return;
    }
    leaveConversation(true);
    phase = Phase.REQUEUING;
  }

  private void quit() {
    notice(Notices.BYE);
    leave("quit");
  }

  /** Leaves for good: out of the conversation and the registry, then close the output. */
  private void leave(String reason) {
    if (phase == Phase.CHATTING) leaveConversation(false);
    if (registered || phase == Phase.REGISTERING) {
      matchmaker.tell(new MatchmakerActor.Unregister(getContext().getSelf()));
    }
    startClosing(reason);
  }

  private void leaveConversation(boolean byNext) {
    flushSays();
    conversation.tell(new ConversationActor.Leave(getContext().getSelf(), byNext));
    conversation = null;
    unconfirmedSays = 0;
    awaitingLeaveConfirm = true;
    timers.startSingleTimer(LeaveTimedOut.INSTANCE, LEAVE_CONFIRM_TIMEOUT);
  }

  private void flushSays() {
    if (sayBuffer.isEmpty()) return;
    conversation.tell(new ConversationActor.Say(getContext().getSelf(), List.copyOf(sayBuffer)));
    sayBuffer.clear();
    unconfirmedSays++;
  }

  // ---------------------------------------------------------------- matchmaker and partner

  private Behavior<Command> onNameTaken() {
    if (phase != Phase.REGISTERING) return this;
    phase = Phase.AWAITING_NAME;
    name = null;
    notice(Notices.USERNAME_TAKEN);
    return processFrames();
  }

  private Behavior<Command> onWaiting() {
    if (phase != Phase.REGISTERING && phase != Phase.REQUEUING) return this;
    nameAccepted();
    phase = Phase.WAITING;
    notice(Notices.WAIT);
    return processFrames();
  }

  private Behavior<Command> onMatched(Matched m) {
    if (phase == Phase.CLOSING || phase == Phase.CHATTING) {
      // A match that crossed our leaving: leave it at once, the partner gets "partner left".
      m.conversation().tell(new ConversationActor.Leave(getContext().getSelf(), false));
      return this;
    }
    nameAccepted();
    conversation = m.conversation();
    unconfirmedSays = 0;
    phase = Phase.CHATTING;
    notice(Notices.matchedTo(m.partnerName()));
    return processFrames();
  }

  private void nameAccepted() {
    if (registered) return;
    registered = true;
    timers.cancel(HandshakeTimedOut.INSTANCE);
  }

  private Behavior<Command> onDeliver(Deliver d) {
    if (phase == Phase.CLOSING || outbox.isEnded() || !d.conversation().equals(conversation)) {
      d.ackTo().tell(new Delivered(d.conversation())); // we left: dropped, never shown
      return this;
    }
    send(NoticeBytes.chatLines(d.sender(), d.texts()));
    metrics.relayed(d.texts().size());
    outbox.confirm(d.ackTo(), new Delivered(d.conversation()));
    return this;
  }

  private Behavior<Command> onDelivered(Delivered d) {
    if (d.conversation().equals(conversation) && unconfirmedSays > 0) {
      unconfirmedSays--;
      ackInboundIfReady();
    }
    return this;
  }

  private Behavior<Command> onNotDelivered(NotDelivered n) {
    if (phase == Phase.CLOSING) return this;
    for (int i = 0; i < n.lines(); i++) notice(Notices.NOT_MATCHED);
    return this;
  }

  private Behavior<Command> onPartnerLeft(PartnerLeft p) {
    if (!p.conversation().equals(conversation)) return this; // we left it ourselves
    flushSays();
    conversation.tell(new ConversationActor.Release(getContext().getSelf()));
    conversation = null;
    unconfirmedSays = 0;
    if (phase == Phase.CLOSING) return this;
    notice(Notices.PARTNER_LEFT);
    phase = Phase.REQUEUING; // the matchmaker requeues us: Waiting or Matched follows
    return processFrames();
  }

  private Behavior<Command> onLeaveConfirmed(LeaveConfirmed c) {
    awaitingLeaveConfirm = false;
    timers.cancel(LeaveTimedOut.INSTANCE);
    return stopIfDone();
  }

  private Behavior<Command> onLeaveTimedOut() {
    awaitingLeaveConfirm = false;
    return stopIfDone();
  }

  // ---------------------------------------------------------------- server life

  private Behavior<Command> onServerShuttingDown() {
    if (outbox.isClosing()) return this;
    if (phase == Phase.CHATTING) {
      // tell the partner through the conversation, so that it never sees "partner left" first
      conversation.tell(new ConversationActor.ServerStopping(getContext().getSelf()));
    }
    notice(Notices.SERVER_SHUTTING_DOWN);
    startClosing("server shutting down");
    return stopIfDone();
  }

  private Behavior<Command> onHandshakeTimedOut() {
    if (registered || phase == Phase.CLOSING) return this;
    notice(Notices.TIMEOUT);
    leave("handshake timeout");
    return stopIfDone();
  }

  private Behavior<Command> onWriteStalled() {
    LOG.warn(
            "dropping {} [{}]: read nothing for {} s while output was pending",
            address,
            name,
            settings.slowReaderTimeout().toSeconds());
    if (phase != Phase.CLOSING) leave("slow reader");
    closeReason = "slow reader";
    outbox.abort();
    return stopIfDone();
  }

  private void startClosing(String reason) {
    phase = Phase.CLOSING;
    closeReason = reason;
    frames.clear();
    outbox.close();
  }

  private Behavior<Command> stopIfDone() {
    if (phase == Phase.CLOSING && outbox.isEnded() && !awaitingLeaveConfirm) {
      return Behaviors.stopped();
    }
    return this;
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

  // ---------------------------------------------------------------- output

  private void notice(String text) {
    send(NoticeBytes.of(text));
  }

  /** Queues output; each element handed to the stream (re)starts the slow-reader clock. */
  private void send(ByteString bytes) {
    if (outbox.offer(bytes)) startStallClock();
  }

  private Behavior<Command> onWritten() {
    timers.cancel(WriteStalled.INSTANCE);
    if (outbox.onWritten()) startStallClock();
    ackInboundIfReady();
    return this;
  }

  private void startStallClock() {
    timers.startSingleTimer(WriteStalled.INSTANCE, settings.slowReaderTimeout());
  }

  private Behavior<Command> onOutboundEnded() {
    outbox.onEnded();
    timers.cancel(WriteStalled.INSTANCE);
    if (phase != Phase.CLOSING && inboundEnded) leave("disconnected");
    // Otherwise input is acked again, runs to its end, and then we leave (lines read are kept).
    ackInboundIfReady();
    return stopIfDone();
  }
}
