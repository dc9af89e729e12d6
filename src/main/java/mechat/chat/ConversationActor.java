package mechat.chat;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One matched pair (protocol §5): greets both sides, routes each side's lines to the other, and
 * when one side leaves tells the other {@code PartnerLeft} behind every line already routed (actor
 * mailboxes keep the order of one sender), then hands both back to the matchmaker.
 *
 * <p>After the end it lingers until the stayer confirms (Release, or its own Leave): lines the
 * stayer sent before it learned are answered {@code NotDelivered} rather than lost in silence.
 */
public final class ConversationActor extends AbstractBehavior<ConversationActor.Command> {

  public sealed interface Command extends CborSerializable {}

  /** Lines from one side, to be delivered to the other; acked by the receiver with Delivered. */
  public record Say(ActorRef<ConnectionActor.ConversationEvent> from, List<String> texts)
      implements Command {}

  /** The side leaves (/quit, /next or disconnect); it is answered LeaveConfirmed. */
  public record Leave(ActorRef<ConnectionActor.ConversationEvent> from, boolean byNext)
      implements Command {}

  /**
   * The server is stopping and this side says goodbye: the other side is told too, through this
   * same path (so after every line already routed to it), and nobody is told "partner left".
   */
  public record ServerStopping(ActorRef<ConnectionActor.ConversationEvent> from)
      implements Command {}

  /**
   * The cluster transport dropped a message of this conversation (§11): it ends for both sides,
   * each told PartnerLeft and queued again, rather than going on with a hole in it.
   */
  public record LinkLost() implements Command {}

  /** The stayer has seen PartnerLeft and will send nothing more here. */
  public record Release(ActorRef<ConnectionActor.ConversationEvent> from) implements Command {}

  private record SideTerminated(ActorRef<ConnectionActor.ConversationEvent> side)
      implements Command {}

  private final ActorRef<ConnectionActor.ConversationEvent> a;
  private final String nameA;
  private final ActorRef<ConnectionActor.ConversationEvent> b;
  private final String nameB;
  private final ActorRef<MatchmakerActor.ConversationEnded> matchmaker;

  /** Set once one side has left; the other side is the stayer. */
  private ActorRef<ConnectionActor.ConversationEvent> stayer;

  /** The end, not reported yet: a stayer on another cluster node has not released us yet. */
  private MatchmakerActor.ConversationEnded unreported;

  /** After a lost line, the other (remote) side, told PartnerLeft too, until it releases us. */
  private ActorRef<ConnectionActor.ConversationEvent> alsoLeft;

  private boolean stayerReleased;

  public static Behavior<Command> create(
      ActorRef<ConnectionActor.ConversationEvent> a,
      String nameA,
      ActorRef<ConnectionActor.ConversationEvent> b,
      String nameB,
      ActorRef<MatchmakerActor.ConversationEnded> matchmaker) {
    return Behaviors.setup(ctx -> new ConversationActor(ctx, a, nameA, b, nameB, matchmaker));
  }

  private ConversationActor(
      ActorContext<Command> context,
      ActorRef<ConnectionActor.ConversationEvent> a,
      String nameA,
      ActorRef<ConnectionActor.ConversationEvent> b,
      String nameB,
      ActorRef<MatchmakerActor.ConversationEnded> matchmaker) {
    super(context);
    this.a = a;
    this.nameA = nameA;
    this.b = b;
    this.nameB = nameB;
    this.matchmaker = matchmaker;
    context.watchWith(a, new SideTerminated(a));
    context.watchWith(b, new SideTerminated(b));
    a.tell(new ConnectionActor.Matched(context.getSelf(), nameB));
    b.tell(new ConnectionActor.Matched(context.getSelf(), nameA));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Say.class, this::onSay)
        .onMessage(Leave.class, this::onLeave)
        .onMessage(Release.class, this::onRelease)
        .onMessage(ServerStopping.class, this::onServerStopping)
        .onMessage(LinkLost.class, this::onLinkLost)
        .onMessage(SideTerminated.class, this::onSideTerminated)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onSay(Say say) {
    if (!isSide(say.from())) return this;
    if (stayer != null) {
      say.from().tell(new ConnectionActor.NotDelivered(getContext().getSelf(), say.texts().size()));
    } else {
      other(say.from())
          .tell(
              new ConnectionActor.Deliver(
                  getContext().getSelf(), nameOf(say.from()), say.texts(), say.from()));
    }
    return this;
  }

  private Behavior<Command> onLeave(Leave leave) {
    if (!isSide(leave.from())) return this;
    leave.from().tell(new ConnectionActor.LeaveConfirmed(getContext().getSelf()));
    if (stayer == null) {
      end(leave.from(), leave.byNext());
      return this;
    }
    return leave.from().equals(stayer) ? Behaviors.stopped() : this;
  }

  /**
   * The side's server is stopping. A partner on the same server says goodbye too; a partner on
   * another node of a cluster (§11) stays, and sees its partner leave, after every line of it.
   */
  private Behavior<Command> onServerStopping(ServerStopping s) {
    if (!isSide(s.from())) return this;
    if (stayer == null && !sameNode(s.from(), other(s.from()))) {
      end(s.from(), false);
      return this;
    }
    if (stayer == null) other(s.from()).tell(ConnectionActor.ServerShuttingDown.INSTANCE);
    return Behaviors.stopped();
  }

  /**
   * Ends for both: the side on this node is told PartnerLeft and requeued at once; the other one is
   * told PartnerLeft too, and requeued once it has released us (so that its requeue cannot overtake
   * its PartnerLeft).
   */
  private Behavior<Command> onLinkLost(LinkLost lost) {
    if (stayer != null) return Behaviors.stopped();
    ActorRef<ConnectionActor.ConversationEvent> remote = a.path().address().hasLocalScope() ? b : a;
    end(remote, false);
    remote.tell(new ConnectionActor.PartnerLeft(getContext().getSelf()));
    alsoLeft = remote;
    return this;
  }

  private Behavior<Command> onRelease(Release release) {
    if (alsoLeft != null && release.from().equals(alsoLeft)) {
      matchmaker.tell(new MatchmakerActor.ConversationEnded(alsoLeft, stayer, false));
      alsoLeft = null;
      return stayerReleased ? Behaviors.stopped() : this;
    }
    if (!release.from().equals(stayer)) return this;
    stayerReleased = true;
    return alsoLeft == null ? Behaviors.stopped() : this;
  }

  private Behavior<Command> onSideTerminated(SideTerminated t) {
    if (stayer == null) {
      end(t.side(), false);
      return this;
    }
    if (t.side().equals(alsoLeft)) {
      alsoLeft = null;
      return stayerReleased ? Behaviors.stopped() : this;
    }
    return t.side().equals(stayer) ? Behaviors.stopped() : this;
  }

  private void end(ActorRef<ConnectionActor.ConversationEvent> leaver, boolean byNext) {
    stayer = other(leaver);
    stayer.tell(new ConnectionActor.PartnerLeft(getContext().getSelf()));
    MatchmakerActor.ConversationEnded ended =
        new MatchmakerActor.ConversationEnded(stayer, leaver, byNext);
    // A stayer on another cluster node (§11) is requeued once it has seen PartnerLeft (it
    // releases us, and we stop): else the matchmaker's answer could reach it first.
    if (stayer.path().address().hasLocalScope()) {
      matchmaker.tell(ended);
    } else {
      unreported = ended;
    }
  }

  private Behavior<Command> onPostStop() {
    if (unreported != null) matchmaker.tell(unreported);
    return this;
  }

  private static boolean sameNode(ActorRef<?> x, ActorRef<?> y) {
    return x.path().address().equals(y.path().address());
  }

  private boolean isSide(ActorRef<ConnectionActor.ConversationEvent> ref) {
    return ref.equals(a) || ref.equals(b);
  }

  private ActorRef<ConnectionActor.ConversationEvent> other(
      ActorRef<ConnectionActor.ConversationEvent> side) {
    return side.equals(a) ? b : a;
  }

  private String nameOf(ActorRef<ConnectionActor.ConversationEvent> side) {
    return side.equals(a) ? nameA : nameB;
  }
}
