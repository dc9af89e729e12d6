package mechat.client;

/** What the person should see, as {@link Session} derives it from the server's lines. */
public sealed interface ViewEvent {

  /** The server refused the proposed username; the client asks again. */
  record NameRefused(Refusal why) implements ViewEvent {}

  /** The server accepted the username (it answered with {@code wait} or {@code matched to}). */
  record NameAccepted(String name) implements ViewEvent {}

  /** Queued: no partner yet. */
  record Waiting() implements ViewEvent {}

  /** Paired with {@code partner}; chatting starts. */
  record Matched(String partner) implements ViewEvent {}

  /** The partner quit, moved on or disconnected; the server looks for someone new by itself. */
  record PartnerLeft(String partner) implements ViewEvent {}

  /** A chat line from the partner. */
  record PartnerLine(String sender, String text) implements ViewEvent {}

  /** A line the person sent, echoed back to them. */
  record OwnLine(String text) implements ViewEvent {}

  /** Any other server notice ({@code not matched}, {@code unknown command}, the help line…). */
  record Notice(String text) implements ViewEvent {}

  /** The conversation with the server is over; the client exits with {@code reason.exitCode()}. */
  record Ended(EndReason reason) implements ViewEvent {}

  enum Refusal {
    INVALID,
    TAKEN,
    TOO_LONG
  }

  enum EndReason {
    BYE(0),
    SERVER_SHUTTING_DOWN(3),
    TIMEOUT(3),
    SERVER_FULL(3),
    CONNECTION_CLOSED(3),
    NO_BYE(3);

    private final int exitCode;

    EndReason(int exitCode) {
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }
}
