package mechat.chat;

import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages a {@link ConnectionActor} takes: from the matchmaker, from its conversation (and the
 * partner's acks), and its own. The actor implements this interface, so they are named {@code
 * ConnectionActor.Matched} and so on, as messages of an actor usually are.
 */
public interface ConnectionMessages {

  sealed interface Command {}

  /** What the matchmaker may send a connection. */
  sealed interface MatchmakerReply extends Command, CborSerializable {}

  /** What a conversation, or the partner's connection for its acks, may send a connection. */
  sealed interface ConversationEvent extends Command, CborSerializable {}

  /** The proposed name is held by another client. */
  enum NameTaken implements MatchmakerReply {
    INSTANCE
  }

  /** Our Quit has taken effect: the name is free, nobody will be matched with us. */
  enum Released implements MatchmakerReply {
    INSTANCE
  }

  /** Queued: nobody suitable is waiting. */
  enum Waiting implements MatchmakerReply {
    INSTANCE
  }

  /** From a new conversation: paired with {@code partnerName}. */
  record Matched(ActorRef<ConversationActor.Command> conversation, String partnerName)
      implements ConversationEvent {}

  /** Lines of the partner, to be written; confirmed to {@code ackTo} with Delivered. */
  record Deliver(
      ActorRef<ConversationActor.Command> conversation,
      String sender,
      List<String> texts,
      ActorRef<ConversationEvent> ackTo)
      implements ConversationEvent {}

  /** The partner has queued a Say of ours and has room for more. */
  record Delivered(ActorRef<ConversationActor.Command> conversation) implements ConversationEvent {}

  /** The conversation had already ended when our lines reached it. */
  record NotDelivered(ActorRef<ConversationActor.Command> conversation, int lines)
      implements ConversationEvent {}

  /** The partner left; every line it sent before has been delivered already. */
  record PartnerLeft(ActorRef<ConversationActor.Command> conversation)
      implements ConversationEvent {}

  /** The conversation has taken our Leave: no line of ours is still on its way through it. */
  record LeaveConfirmed(ActorRef<ConversationActor.Command> conversation)
      implements ConversationEvent {}

  /** Say goodbye after what is queued, and close (§7): from the server, or the partner's side. */
  enum ServerShuttingDown implements ConversationEvent {
    INSTANCE
  }

  /** Messages of a connection's own stream and timers (not for other actors). */
  non-sealed interface Internal extends Command, NoSerializationVerificationNeeded {}
}
