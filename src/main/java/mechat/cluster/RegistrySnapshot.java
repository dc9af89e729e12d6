package mechat.cluster;

import java.util.ArrayList;
import java.util.List;
import mechat.chat.CborSerializable;
import mechat.chat.ConnectionActor;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a node's registry knows, as the matchmaker rebuilds itself from it: each client whose name
 * the matchmaker confirmed, and each conversation the node hosts that has not ended. Sent in chunks
 * well under Artery's 256 KiB frame.
 */
public final class RegistrySnapshot {
  /** At most this many clients, and this many pairs, in one chunk (about 50 KiB each). */
  static final int CHUNK = 200;

  private RegistrySnapshot() {}

  /**
   * A client: its name, its address (for the log), the queue sequence it last had ({@code -1}:
   * never queued), the pair the matchmaker last put it in (or null), and the client it was parted
   * from by /next (or null).
   */
  public record ClientState(
      ActorRef<ConnectionActor.ConversationEvent> connection,
      String name,
      String address,
      long seq,
      String pairId,
      ActorRef<ConnectionActor.ConversationEvent> apart)
      implements CborSerializable {}

  /** A conversation this node hosts, between {@code a} and {@code b}. */
  public record PairState(
      String pairId,
      ActorRef<ConnectionActor.ConversationEvent> a,
      String nameA,
      ActorRef<ConnectionActor.ConversationEvent> b,
      String nameB)
      implements CborSerializable {}

  /** One chunk's content; {@link #split} cuts a whole snapshot into them. */
  record Part(List<ClientState> clients, List<PairState> pairs) {}

  static List<Part> split(List<ClientState> clients, List<PairState> pairs) {
    List<Part> parts = new ArrayList<>();
    int i = 0;
    int j = 0;
    do {
      List<ClientState> c = clients.subList(i, Math.min(clients.size(), i + CHUNK));
      List<PairState> p = pairs.subList(j, Math.min(pairs.size(), j + CHUNK));
      parts.add(new Part(List.copyOf(c), List.copyOf(p)));
      i += c.size();
      j += p.size();
    } while (i < clients.size() || j < pairs.size());
    return parts;
  }
}
