package mechat.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import mechat.chat.ConnectionMessages.Deliver;
import mechat.chat.ConnectionMessages.Delivered;
import mechat.chat.ConnectionMessages.Matched;
import mechat.chat.ConnectionMessages.NotDelivered;
import mechat.chat.ConnectionMessages.PartnerLeft;
import mechat.protocol.Frame;
import mechat.protocol.Notices;
import mechat.protocol.SlashCommand;
import mechat.protocol.Username;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a {@link ConnectionActor} does in each of its six phases (§3–§7): awaiting a name,
 * registering it, waiting, chatting, requeuing after a conversation, closing. Each phase says in
 * one place what it does with an input line and with each message of the matchmaker and the
 * conversation; the defaults here are what most phases do. Phases act only through their
 * connection's operations, and a phase that holds input is never given a line.
 */
abstract class ConnectionPhase {
  final ConnectionActor connection;

  ConnectionPhase(ConnectionActor connection) {
    this.connection = connection;
  }

  /** One frame of input, in a phase that does not hold input. */
  final void handle(Frame frame) {
    if (frame instanceof Frame.Line line) {
      onLine(line);
    } else if (frame == Frame.TooLong.INSTANCE) {
      connection.notice(Notices.MESSAGE_TOO_LONG);
    } else if (frame == Frame.Binary.INSTANCE) {
      connection.notice(Notices.INVALID_MESSAGE);
    } else {
      connection.notice(invalidLineNotice());
    }
  }

  /**
   * The rate limit (§5.5) applies to what goes on from here: a chat message to the partner, a
   * proposed name to the matchmaker. Lines answered on the spot (commands, "not matched", invalid
   * or over-long lines) are free, so a backlog of them is worked through at once.
   */
  final boolean costsToken(Frame frame) {
    return chargesLines()
        && frame instanceof Frame.Line line
        && !line.isBlank()
        && !line.text().startsWith("/");
  }

  /** Input waits, unread and unacked, until the matchmaker or the end decides what follows. */
  boolean holdsInput() {
    return false;
  }

  /** Whether message lines go on from here (to the matchmaker or the partner). */
  boolean chargesLines() {
    return false;
  }

  String invalidLineNotice() {
    return Notices.INVALID_MESSAGE;
  }

  void onLine(Frame.Line line) {}

  /** Every frame of the batch at hand is handled. */
  void afterInput() {}

  void onNameTaken() {}

  void onWaiting() {}

  /** A match that crossed our leaving: leave it at once, the partner gets "partner left". */
  void onMatched(Matched m) {
    m.conversation().tell(new ConversationActor.Leave(connection.self(), false));
  }

  /** Lines of a conversation we are not (or no longer) in: dropped, never shown. */
  void onDeliver(Deliver d) {
    d.ackTo().tell(new Delivered(d.conversation()));
  }

  void onDelivered(Delivered d) {}

  void onNotDelivered(NotDelivered n) {
    for (int i = 0; i < n.lines(); i++) connection.notice(Notices.NOT_MATCHED);
  }

  void onPartnerLeft(PartnerLeft p) {}

  void onServerShuttingDown() {
    connection.notice(Notices.SERVER_SHUTTING_DOWN);
    connection.startClosing("server shutting down", null);
  }

  void onHandshakeTimedOut() {}

  /** The matchmaker has let go of the name (the answer to a Quit). */
  void onReleased() {}

  /** The client leaves for good, from this phase. */
  void onLeaving() {}

  /** The first phase: the first valid line is the proposed name (§3). */
  static final class AwaitingName extends ConnectionPhase {
    AwaitingName(ConnectionActor connection) {
      super(connection);
    }

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
        connection.quit();
      } else if (!Username.isValid(proposed)) {
        connection.notice(Notices.INVALID_USERNAME);
      } else {
        connection.claimName(proposed);
      }
    }

    @Override
    void onHandshakeTimedOut() {
      connection.timedOut();
    }
  }

  /** The name is with the matchmaker, which answers taken, wait or matched. */
  static final class Registering extends ConnectionPhase {
    Registering(ConnectionActor connection) {
      super(connection);
    }

    @Override
    boolean holdsInput() {
      return true;
    }

    @Override
    void onNameTaken() {
      connection.nameRefused();
    }

    @Override
    void onWaiting() {
      connection.startWaiting();
    }

    @Override
    void onMatched(Matched m) {
      connection.startChatting(m);
    }

    @Override
    void onHandshakeTimedOut() {
      connection.timedOut();
    }
  }

  /** A phase with a name: commands work, and other lines are messages (§6). */
  abstract static class Named extends ConnectionPhase {
    Named(ConnectionActor connection) {
      super(connection);
    }

    @Override
    void onLine(Frame.Line line) {
      if (line.isBlank()) return;
      Optional<SlashCommand> command = SlashCommand.parse(line.text());
      if (command.isEmpty()) {
        onMessage(line.text());
        return;
      }
      switch (command.get()) {
        case QUIT -> connection.quit();
        case NEXT -> onNext();
        case HELP -> connection.notice(Notices.HELP);
        default -> connection.notice(Notices.UNKNOWN_COMMAND);
      }
    }

    abstract void onMessage(String text);

    abstract void onNext();
  }

  /** Queued; a line is answered "not matched" (§4.5). */
  static final class WaitingForPartner extends Named {
    WaitingForPartner(ConnectionActor connection) {
      super(connection);
    }

    @Override
    void onMessage(String text) {
      connection.notice(Notices.NOT_MATCHED);
    }

    @Override
    void onNext() {
      connection.notice(Notices.WAIT);
    }

    @Override
    void onMatched(Matched m) {
      connection.startChatting(m);
    }
  }

  /** In a conversation: lines go to the partner through it, and the partner's come back (§5). */
  static final class Chatting extends Named {
    private final ActorRef<ConversationActor.Command> conversation;
    private final List<String> says = new ArrayList<>();

    Chatting(ConnectionActor connection, ActorRef<ConversationActor.Command> conversation) {
      super(connection);
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

    /** The messages of one batch go to the partner as one Say. */
    @Override
    void afterInput() {
      if (says.isEmpty()) return;
      connection.say(conversation, List.copyOf(says));
      says.clear();
    }

    @Override
    void onNext() {
      afterInput();
      connection.leaveConversation(conversation, true);
      connection.become(new Requeuing(connection));
    }

    @Override
    void onLeaving() {
      afterInput();
      connection.leaveConversation(conversation, false);
    }

    @Override
    void onDeliver(Deliver d) {
      if (!d.conversation().equals(conversation) || !connection.write(d)) super.onDeliver(d);
    }

    @Override
    void onDelivered(Delivered d) {
      if (d.conversation().equals(conversation)) connection.confirmed();
    }

    @Override
    void onPartnerLeft(PartnerLeft p) {
      if (!p.conversation().equals(conversation)) return; // one we left ourselves
      afterInput();
      connection.release(conversation);
      connection.notice(Notices.PARTNER_LEFT);
      // the matchmaker requeues us: Waiting or Matched follows
      connection.become(new Requeuing(connection));
    }

    /**
     * In a cluster, the node hosting our conversation died and the matchmaker requeued us before
     * our own watch of the conversation fired: the partner has left, then this answer applies.
     */
    @Override
    void onWaiting() {
      if (!remote()) return;
      onPartnerLeft(new PartnerLeft(conversation));
      connection.startWaiting();
    }

    @Override
    void onMatched(Matched m) {
      if (!remote()) {
        super.onMatched(m);
        return;
      }
      onPartnerLeft(new PartnerLeft(conversation));
      connection.startChatting(m);
    }

    private boolean remote() {
      return !conversation.path().address().hasLocalScope();
    }

    @Override
    void onServerShuttingDown() {
      // tell the partner through the conversation, so that it never sees "partner left" first
      conversation.tell(new ConversationActor.ServerStopping(connection.self()));
      connection.notice(Notices.SERVER_SHUTTING_DOWN);
      connection.startClosing("server shutting down", conversation);
    }
  }

  /** Out of a conversation (by /next or "partner left"); the matchmaker answers next. */
  static final class Requeuing extends ConnectionPhase {
    Requeuing(ConnectionActor connection) {
      super(connection);
    }

    @Override
    boolean holdsInput() {
      return true;
    }

    @Override
    void onWaiting() {
      connection.startWaiting();
    }

    @Override
    void onMatched(Matched m) {
      connection.startChatting(m);
    }
  }

  /** Saying goodbye: input is dropped, output drains, then the actor stops. */
  static class Closing extends ConnectionPhase {
    /** A conversation still to release when its "partner left" comes, or null. */
    private final ActorRef<ConversationActor.Command> conversation;

    Closing(ConnectionActor connection, ActorRef<ConversationActor.Command> conversation) {
      super(connection);
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
      if (p.conversation().equals(conversation)) connection.release(conversation);
    }

    @Override
    void onServerShuttingDown() {}
  }

  /** Quit with a name held: "bye" once the matchmaker has let it go, then close. */
  static final class Quitting extends Closing {
    Quitting(ConnectionActor connection) {
      super(connection, null);
    }

    @Override
    void onReleased() {
      connection.notice(Notices.BYE);
      connection.closeOutput();
    }
  }
}
