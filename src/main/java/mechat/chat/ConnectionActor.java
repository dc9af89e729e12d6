package mechat.chat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import mechat.protocol.LineEncoder;
import mechat.protocol.Notices;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.javadsl.AbstractMatchingBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and its protocol state (§3–§7). Its six phases are {@link
 * ConnectionPhase}s; the input side (batches, acks, window, rate limit) is an {@link Inbox}, the
 * output side an {@link Outbox}, and {@link ConnectionStream} joins both to the client. A batch is
 * acked only once its lines are handled and those routed to the partner are confirmed {@code
 * Delivered}, which the partner does only while its output is under its high-water mark: so a slow
 * reader holds its sender back through TCP flow control, and memory stays bounded (§5.4).
 */
public final class ConnectionActor extends AbstractMatchingBehavior<ConnectionActor.Command>
    implements ConnectionMessages {

  /** The connection's timers, each its own message. */
  private enum Timer implements Internal {
    /** No valid, free name in time (§3.5). */
    HANDSHAKE,
    /** The conversation never confirmed our Leave. */
    LEAVE_CONFIRM,
    /** The rate limit has a token again (§5.5). */
    RATE
  }

  private static final Duration LEAVE_CONFIRM_TIMEOUT = Duration.ofSeconds(5);

  /** One logger for all connections: getContext().getLog() would walk the stack per actor. */
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionActor.class);

  private final ConnectionSettings settings;
  private final ActorRef<MatchmakerActor.Command> matchmaker;
  private final String address;
  private final ServerMetrics metrics;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ConversationEvent> forConversation;
  private final ConnectionStream.Handle stream;
  private final Inbox inbox;

  private ConnectionPhase phase = new ConnectionPhase.AwaitingName(this);
  private String name;

  /** The matchmaker holds (or is asked for) our name: it must be told when we leave. */
  private boolean nameClaimed;

  /** The name was accepted: the handshake is over. */
  private boolean registered;

  private boolean awaitingLeaveConfirm;

  /** Our output is closing (nothing more is written) or has ended (the stream told us). */
  private boolean outputClosing;

  private boolean outputEnded;
  private String closeReason = "disconnected";

  public static Behavior<Command> create(
      ConnectionSettings settings,
      ActorRef<MatchmakerActor.Command> matchmaker,
      String address,
      ServerMetrics metrics,
      ConnectionStream.Connector connector) {
    // The actor's Props keep this factory for its life: it must not keep the transport too.
    AtomicReference<ConnectionStream.Connector> once = new AtomicReference<>(connector);
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new ConnectionActor(
                        ctx,
                        timers,
                        settings,
                        matchmaker,
                        address,
                        metrics,
                        once.getAndSet(null))));
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
    this.forConversation = context.getSelf().narrow();
    this.inbox =
        new Inbox(settings.inboundWindow(), settings.rate(), settings.burst(), System.nanoTime());
    this.stream = connector.connect(ConnectionStream.create(settings));
    stream.start(context.getSelf());
    inbox.ackTo(stream::ack);
    timers.startSingleTimer(Timer.HANDSHAKE, settings.handshakeTimeout());
    LOG.info("connection opened from {}", address);
  }

  /**
   * The match table, as a chain of tests rather than a ReceiveBuilder: that one builds ~18 cases
   * per actor, most of a KiB on every idle connection. The messages of a chat come first.
   */
  @Override
  public Behavior<Command> onMessage(Command message) {
    if (message instanceof ConnectionStream.Inbound in) return onInbound(in);
    if (message instanceof Deliver d) {
      phase.onDeliver(d);
      return processInput();
    }
    if (message instanceof Delivered d) {
      phase.onDelivered(d);
      return processInput();
    }
    if (message == ConnectionStream.InboundEnded.INSTANCE) return then(inbox::onEnded);
    if (message == ConnectionStream.OutboundEnded.INSTANCE) return onOutboundEnded();
    if (message == Timer.RATE) return processInput();
    if (message == NameTaken.INSTANCE) return then(phase::onNameTaken);
    if (message == Waiting.INSTANCE) return then(phase::onWaiting);
    if (message instanceof Matched m) return then(() -> phase.onMatched(m));
    if (message instanceof NotDelivered n) return then(() -> phase.onNotDelivered(n));
    if (message instanceof PartnerLeft p) return then(() -> phase.onPartnerLeft(p));
    if (message == ServerShuttingDown.INSTANCE) return then(phase::onServerShuttingDown);
    if (message == Timer.HANDSHAKE) return then(phase::onHandshakeTimedOut);
    if (message instanceof LeaveConfirmed || message == Timer.LEAVE_CONFIRM) {
      return onLeaveConfirmed();
    }
    if (message == ConnectionStream.OutputStalled.INSTANCE) return onOutputStalled();
    if (message == Released.INSTANCE) return then(phase::onReleased);
    return Behaviors.unhandled();
  }

  @Override
  public Behavior<Command> onSignal(Signal signal) {
    return signal instanceof PostStop ? onPostStop() : Behaviors.unhandled();
  }

  /** Runs a phase's handler, then goes on with the input it may have released. */
  private Behavior<Command> then(Runnable handler) {
    handler.run();
    return processInput();
  }

  /** This connection as a conversation sees it. */
  ActorRef<ConversationEvent> self() {
    return forConversation;
  }

  void become(ConnectionPhase next) {
    phase = next;
  }

  void claimName(String proposed) {
    name = proposed;
    nameClaimed = true;
    ActorRef<MatchmakerReply> replyTo = getContext().getSelf().narrow();
    matchmaker.tell(new MatchmakerActor.Register(proposed, address, replyTo, forConversation));
    phase = new ConnectionPhase.Registering(this);
  }

  void nameRefused() {
    name = null;
    nameClaimed = false;
    notice(Notices.USERNAME_TAKEN);
    phase = new ConnectionPhase.AwaitingName(this);
  }

  private void nameAccepted() {
    if (registered) return;
    registered = true;
    timers.cancel(Timer.HANDSHAKE);
  }

  void startWaiting() {
    nameAccepted();
    notice(Notices.WAIT);
    phase = new ConnectionPhase.WaitingForPartner(this);
  }

  void startChatting(Matched m) {
    nameAccepted();
    inbox.resetWindow();
    notice(Notices.matchedTo(m.partnerName()));
    phase = new ConnectionPhase.Chatting(this, m.conversation());
    if (!m.conversation().path().address().hasLocalScope()) { // a cluster's node may die silently
      getContext().watchWith(m.conversation(), new PartnerLeft(m.conversation()));
    }
  }

  /** Lines for the partner; the batch they came in is acked once the window allows. */
  void say(ActorRef<ConversationActor.Command> conversation, List<String> texts) {
    conversation.tell(new ConversationActor.Say(forConversation, texts));
    inbox.sent();
  }

  /** Writes the partner's lines; false when the output has already ended. */
  boolean write(Deliver d) {
    if (outputEnded) return false;
    stream.deliver(
        LineEncoder.chatLines(d.sender(), d.texts()),
        new Outbox.Confirmation(d.ackTo(), new Delivered(d.conversation())));
    metrics.relayed(d.texts().size());
    return true;
  }

  /** The partner has taken a batch of ours. */
  void confirmed() {
    inbox.confirmed();
  }

  /** Leaves, and stays until the conversation confirms that none of our lines is on its way. */
  void leaveConversation(ActorRef<ConversationActor.Command> conversation, boolean byNext) {
    conversation.tell(new ConversationActor.Leave(forConversation, byNext));
    inbox.resetWindow();
    awaitingLeaveConfirm = true;
    timers.startSingleTimer(Timer.LEAVE_CONFIRM, LEAVE_CONFIRM_TIMEOUT);
  }

  /** The partner has left: the conversation may stop. */
  void release(ActorRef<ConversationActor.Command> conversation) {
    conversation.tell(new ConversationActor.Release(forConversation));
    inbox.resetWindow();
  }

  void timedOut() {
    notice(Notices.TIMEOUT);
    leave("handshake timeout");
  }

  /** "bye" now, or once the matchmaker has let go of the name it holds for us (§3.6, §4.5). */
  void quit() {
    if (!nameClaimed) {
      notice(Notices.BYE);
      leave("quit");
      return;
    }
    phase.onLeaving();
    matchmaker.tell(new MatchmakerActor.Quit(forConversation, getContext().getSelf().narrow()));
    enterClosing(new ConnectionPhase.Quitting(this), "quit");
  }

  /** Leaves for good: out of the conversation and the registry, then close the output. */
  private void leave(String reason) {
    phase.onLeaving();
    if (nameClaimed) matchmaker.tell(new MatchmakerActor.Unregister(forConversation));
    startClosing(reason, null);
  }

  void startClosing(String reason, ActorRef<ConversationActor.Command> toRelease) {
    enterClosing(new ConnectionPhase.Closing(this, toRelease), reason);
    closeOutput();
  }

  /** From here input is dropped; the output closes now, or (quitting) after "bye". */
  private void enterClosing(ConnectionPhase.Closing closing, String reason) {
    phase = closing;
    closeReason = reason;
    inbox.clear();
  }

  void closeOutput() {
    if (!outputClosing) stream.close();
    outputClosing = true;
  }

  private Behavior<Command> stopIfDone() {
    if (phase instanceof ConnectionPhase.Closing && outputEnded && !awaitingLeaveConfirm) {
      return Behaviors.stopped();
    }
    return this;
  }

  private Behavior<Command> onInbound(ConnectionStream.Inbound in) {
    inbox.onBatch(in.frames(), !(phase instanceof ConnectionPhase.Closing));
    return processInput();
  }

  /** Handles frames until input must wait (for the matchmaker or the rate limit), then acks. */
  private Behavior<Command> processInput() {
    while (inbox.hasFrame() && !phase.holdsInput()) {
      if (phase.costsToken(inbox.peek())) {
        long wait = inbox.takeToken(System.nanoTime());
        if (wait > 0) {
          if (!timers.isTimerActive(Timer.RATE)) {
            timers.startSingleTimer(Timer.RATE, Duration.ofNanos(wait));
          }
          break;
        }
      }
      phase.handle(inbox.take());
    }
    phase.afterInput();
    if (inbox.isFinished() && !phase.holdsInput()) leave("disconnected");
    inbox.ackIfReady(!phase.holdsInput());
    return stopIfDone();
  }

  void notice(String text) {
    send(LineEncoder.notice(text));
  }

  private void send(ByteString bytes) {
    if (!outputClosing) stream.write(bytes);
  }

  private Behavior<Command> onOutboundEnded() {
    outputEnded = true;
    if (!(phase instanceof ConnectionPhase.Closing) && inbox.isFinished()) leave("disconnected");
    // Otherwise input is acked again, runs to its end, and then we leave (lines read are kept).
    inbox.ackIfReady(!phase.holdsInput());
    return stopIfDone();
  }

  private Behavior<Command> onOutputStalled() {
    LOG.warn(
        "dropping {} [{}]: read nothing for {} ms while output was pending",
        address,
        name,
        ConnectionStage.stallLimit(settings, outputClosing).toMillis());
    if (!(phase instanceof ConnectionPhase.Closing)) leave("slow reader");
    closeReason = "slow reader";
    outputClosing = true;
    stream.abort();
    return stopIfDone();
  }

  private Behavior<Command> onLeaveConfirmed() {
    awaitingLeaveConfirm = false;
    timers.cancel(Timer.LEAVE_CONFIRM);
    return stopIfDone();
  }

  private Behavior<Command> onPostStop() {
    stream.actorStopped(); // partners waiting on our output are confirmed there
    LOG.info(
        "connection closed from {}{} ({})",
        address,
        name == null || !registered ? "" : " [" + name + "]",
        closeReason);
    return this;
  }
}
