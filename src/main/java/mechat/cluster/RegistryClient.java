package mechat.cluster;

import mechat.chat.ConnectionActor;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a {@link NodeRegistry} knows of one of its node's clients: its name (claimed, and then
 * confirmed by the matchmaker), where to answer it, its last queue sequence, its pair, and whom
 * /next parted it from.
 */
final class RegistryClient {
  final String name;
  final String address;
  final ActorRef<ConnectionActor.MatchmakerReply> replyTo;
  boolean confirmed;
  long seq = -1;
  String pairId;
  ActorRef<ConnectionActor.ConversationEvent> apart;

  RegistryClient(String name, String address, ActorRef<ConnectionActor.MatchmakerReply> replyTo) {
    this.name = name;
    this.address = address;
    this.replyTo = replyTo;
  }
}
