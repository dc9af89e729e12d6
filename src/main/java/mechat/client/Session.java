package mechat.client;

import java.util.List;
import java.util.Optional;
import mechat.client.ViewEvent.EndReason;
import mechat.client.ViewEvent.Refusal;
import mechat.protocol.ChatLine;
import mechat.protocol.Notices;
import mechat.protocol.Username;

/**
 * The client's view of one connection: turns each server line into what the person sees, and tracks
 * the phase (protocol §3–§6). Pure: no I/O, no threads, no clock; the caller sends and shows. Not
 * thread-safe: the modes call it under their own lock or from one thread at a time.
 */
public final class Session {

  public enum Phase {
    NAMING,
    WAITING,
    CHATTING,
    ENDED
  }

  private Phase phase = Phase.NAMING;
  private String proposedName;
  private String name;
  private String partner;
  private boolean quitting;

  public Phase phase() {
    return phase;
  }

  /** The accepted username, once the server has accepted it. */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  public Optional<String> partner() {
    return Optional.ofNullable(partner);
  }

  /** True once {@code /quit} was sent: the next {@code bye} is the expected end. */
  public boolean isQuitting() {
    return quitting;
  }

  public boolean isEnded() {
    return phase == Phase.ENDED;
  }

  /** Records the line sent as the username (§3.2 trims it; {@code /quit} works here too). */
  public void nameSent(String line) {
    proposedName = Username.trim(line);
    if (isQuit(line)) quitting = true;
  }

  /**
   * A line the person typed once the name is accepted: the echo to show, or empty when there is
   * nothing to send (an empty line or only spaces and tabs, which the server ignores, §5.1).
   */
  public Optional<ViewEvent.OwnLine> userLine(String line) {
    if (Username.trim(line).isEmpty()) return Optional.empty();
    if (isQuit(line)) quitting = true;
    return Optional.of(new ViewEvent.OwnLine(line));
  }

  /** The client sent {@code /quit} without a typed line (end of input, Ctrl-D, Ctrl-C). */
  public void quitSent() {
    quitting = true;
  }

  /** What one server line means to the person; usually one event, two on acceptance. */
  public List<ViewEvent> serverLine(String line) {
    if (phase == Phase.ENDED) return List.of();
    Optional<ChatLine> chat = ChatLine.parse(line);
    if (chat.isPresent()) {
      return List.of(new ViewEvent.PartnerLine(chat.get().sender(), chat.get().text()));
    }
    if (line.startsWith(Notices.MATCHED_TO_PREFIX)) {
      return accepted(matched(line.substring(Notices.MATCHED_TO_PREFIX.length())));
    }
    switch (line) {
      case Notices.WAIT:
        partner = null;
        phase = Phase.WAITING;
        return accepted(new ViewEvent.Waiting());
      case Notices.PARTNER_LEFT:
        ViewEvent left = new ViewEvent.PartnerLeft(partner == null ? "your partner" : partner);
        partner = null;
        phase = Phase.WAITING;
        return List.of(left);
      case Notices.INVALID_USERNAME:
        return List.of(new ViewEvent.NameRefused(Refusal.INVALID));
      case Notices.USERNAME_TAKEN:
        return List.of(new ViewEvent.NameRefused(Refusal.TAKEN));
      case Notices.MESSAGE_TOO_LONG:
        if (phase == Phase.NAMING) return List.of(new ViewEvent.NameRefused(Refusal.TOO_LONG));
        return List.of(new ViewEvent.Notice(line));
      case Notices.BYE:
        return end(EndReason.BYE);
      case Notices.SERVER_SHUTTING_DOWN:
        return end(EndReason.SERVER_SHUTTING_DOWN);
      case Notices.TIMEOUT:
        return end(EndReason.TIMEOUT);
      case Notices.SERVER_FULL:
        return end(EndReason.SERVER_FULL);
      default:
        return List.of(new ViewEvent.Notice(line));
    }
  }

  /** The server closed the connection (EOF or reset) without a closing notice first. */
  public List<ViewEvent> disconnected() {
    if (phase == Phase.ENDED) return List.of();
    return end(EndReason.CONNECTION_CLOSED);
  }

  /** {@code /quit} was sent but no {@code bye} came in time. */
  public List<ViewEvent> noBye() {
    if (phase == Phase.ENDED) return List.of();
    return end(EndReason.NO_BYE);
  }

  private ViewEvent matched(String partnerName) {
    partner = partnerName;
    phase = Phase.CHATTING;
    return new ViewEvent.Matched(partnerName);
  }

  // The first `wait` or `matched to` after a name is how the server says it accepted it (§3–§4).
  private List<ViewEvent> accepted(ViewEvent event) {
    if (name != null || proposedName == null) return List.of(event);
    name = proposedName;
    return List.of(new ViewEvent.NameAccepted(name), event);
  }

  private List<ViewEvent> end(EndReason reason) {
    phase = Phase.ENDED;
    partner = null;
    return List.of(new ViewEvent.Ended(reason));
  }

  private static boolean isQuit(String line) {
    return mechat.protocol.SlashCommand.parse(line).orElse(null)
        == mechat.protocol.SlashCommand.QUIT;
  }
}
