package mechat.protocol;

/**
 * The exact texts of the server's notices (protocol §2). Notices never contain {@code ": "}, which
 * is how a client tells them from chat lines.
 */
public final class Notices {
  public static final String INVALID_USERNAME = "invalid username";
  public static final String USERNAME_TAKEN = "username taken";
  public static final String WAIT = "wait";
  public static final String MATCHED_TO_PREFIX = "matched to ";
  public static final String PARTNER_LEFT = "partner left";
  public static final String MESSAGE_TOO_LONG = "message too long";
  public static final String INVALID_MESSAGE = "invalid message";
  public static final String NOT_MATCHED = "not matched";
  public static final String UNKNOWN_COMMAND = "unknown command";
  public static final String HELP = "commands /next /quit /help";
  public static final String BYE = "bye";
  public static final String TIMEOUT = "timeout";
  public static final String SERVER_FULL = "server full";
  public static final String TOO_MANY_CONNECTIONS = "too many connections";
  public static final String SERVER_SHUTTING_DOWN = "server shutting down";

  private Notices() {}

  public static String matchedTo(String partnerName) {
    return MATCHED_TO_PREFIX + partnerName;
  }
}
