package mechat.client;

import java.io.IOException;
import java.time.Clock;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import mechat.protocol.Notices;
import mechat.protocol.Username;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.InfoCmp.Capability;

/**
 * The interactive screen, on JLine: one input line with editing and history at the bottom, and
 * every event printed above it ({@link LineReader#printAbove}), so that incoming lines never
 * disturb what the person is typing. Received text is always passed through {@link SafeText}. The
 * terminal is injected, so that tests can drive a virtual one.
 */
public final class TerminalView implements AutoCloseable {
  public static final String NAME_PROMPT = "username: ";
  public static final String CHAT_PROMPT = "> ";
  public static final String NOTICE_MARK = "-- ";
  public static final String OWN_MARK = "you> ";

  private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");
  private static final AttributedStyle TIME =
      AttributedStyle.DEFAULT.foreground(AttributedStyle.BLACK + AttributedStyle.BRIGHT);
  private static final AttributedStyle STATUS =
      AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW);
  private static final AttributedStyle GOOD =
      AttributedStyle.BOLD.foreground(AttributedStyle.GREEN);
  private static final AttributedStyle BAD = AttributedStyle.BOLD.foreground(AttributedStyle.RED);
  private static final AttributedStyle PARTNER =
      AttributedStyle.BOLD.foreground(AttributedStyle.CYAN);
  private static final AttributedStyle OWN =
      AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);

  private final Terminal terminal;
  private final LineReader reader;
  private final Clock clock;
  private final boolean colours;

  public TerminalView(Terminal terminal, Clock clock, boolean colours) {
    this.terminal = terminal;
    this.clock = clock;
    this.colours = colours;
    this.reader =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("mechat")
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' is just a character
            .option(LineReader.Option.INSERT_TAB, true) // no completion: Tab types a tab
            .option(
                LineReader.Option.ERASE_LINE_ON_FINISH, true) // the echo replaces the typed line
            .build();
  }

  /** The terminal the process runs in, with colours unless NO_COLOR says otherwise. */
  public static TerminalView onSystemTerminal() throws IOException {
    Terminal terminal = TerminalBuilder.builder().system(true).name("mechat").build();
    return new TerminalView(
        terminal, Clock.systemDefaultZone(), coloursWanted(System.getenv("NO_COLOR"), terminal));
  }

  /** No colours when NO_COLOR is set and not empty (no-color.org), or the terminal has none. */
  public static boolean coloursWanted(String noColor, Terminal terminal) {
    if (noColor != null && !noColor.isEmpty()) return false;
    if (Terminal.TYPE_DUMB.equals(terminal.getType())) return false;
    Integer colors = terminal.getNumericCapability(Capability.max_colors);
    return colors != null && colors >= 8;
  }

  public Terminal terminal() {
    return terminal;
  }

  /** Reads one line; Ctrl-C throws UserInterruptException, Ctrl-D on an empty line EndOfFile. */
  public String readLine(String prompt) throws UserInterruptException, EndOfFileException {
    return reader.readLine(prompt);
  }

  /** Prints the event above the input line (or plainly when nobody is typing). */
  public void show(ViewEvent event) {
    reader.printAbove(render(event, LocalTime.now(clock), colours));
  }

  /** A line of the client's own, such as where it is connecting. */
  public void status(String text) {
    reader.printAbove(line(LocalTime.now(clock), colours, NOTICE_MARK + text, STATUS));
  }

  @Override
  public void close() throws IOException {
    terminal.close();
  }

  /** The line the person sees for an event: {@code HH:mm} and the text, styled when colours. */
  public static AttributedString render(ViewEvent event, LocalTime time, boolean colours) {
    if (event instanceof ViewEvent.PartnerLine p) {
      AttributedStringBuilder b = stamp(time, colours);
      b.styled(style(colours, PARTNER), SafeText.of(p.sender()) + ":");
      return b.append(" ").append(SafeText.of(p.text())).toAttributedString();
    }
    if (event instanceof ViewEvent.OwnLine own) {
      AttributedStringBuilder b = stamp(time, colours);
      b.styled(style(colours, OWN), OWN_MARK.trim());
      return b.append(" ").append(SafeText.of(own.text())).toAttributedString();
    }
    AttributedStyle style =
        event instanceof ViewEvent.Matched
            ? GOOD
            : event instanceof ViewEvent.NameRefused
                    || (event instanceof ViewEvent.Ended e && e.reason().exitCode() != 0)
                ? BAD
                : STATUS;
    return line(time, colours, NOTICE_MARK + describe(event), style);
  }

  /** The words for a status event (not a chat line), with received names made safe. */
  static String describe(ViewEvent event) {
    if (event instanceof ViewEvent.NameRefused r) {
      switch (r.why()) {
        case INVALID:
          return "invalid username: use 1-"
              + Username.MAX_LENGTH
              + " ASCII letters, digits or"
              + " punctuation, no spaces, and do not start with /";
        case TAKEN:
          return "username taken: someone connected already uses it (case does not count)"
              + " -- try another";
        default:
          return "invalid username: far too long (at most " + Username.MAX_LENGTH + " characters)";
      }
    }
    if (event instanceof ViewEvent.NameAccepted a) return "you are " + SafeText.of(a.name());
    if (event instanceof ViewEvent.Waiting) return "waiting for a partner...";
    if (event instanceof ViewEvent.Matched m) {
      return "now chatting with " + SafeText.of(m.partner());
    }
    if (event instanceof ViewEvent.PartnerLeft l) {
      return SafeText.of(l.partner()) + " left -- looking for someone new";
    }
    if (event instanceof ViewEvent.Notice n) return describeNotice(n.text());
    if (event instanceof ViewEvent.Ended e) return describeEnd(e.reason());
    throw new IllegalArgumentException("not a status event: " + event);
  }

  private static String describeNotice(String notice) {
    switch (notice) {
      case Notices.NOT_MATCHED:
        return "not delivered: you have no partner yet";
      case Notices.MESSAGE_TOO_LONG:
        return "not delivered: that line was too long for the server";
      case Notices.INVALID_MESSAGE:
        return "not delivered: that line held a control character";
      case Notices.UNKNOWN_COMMAND:
        return "unknown command -- /help lists them";
      case Notices.HELP:
        return "commands: /next (someone new)  /quit (leave)  /help (this list)";
      default:
        return SafeText.of(notice); // a notice of a later protocol version: the server's words
    }
  }

  private static String describeEnd(ViewEvent.EndReason reason) {
    switch (reason) {
      case BYE:
        return "bye";
      case SERVER_SHUTTING_DOWN:
        return "the server is shutting down -- bye";
      case TIMEOUT:
        return "the server closed the connection: no username in time";
      case SERVER_FULL:
        return "the server is full -- try again later";
      case NO_BYE:
        return "no answer from the server -- leaving anyway";
      default:
        return "the server closed the connection";
    }
  }

  private static AttributedString line(
      LocalTime time, boolean colours, String text, AttributedStyle style) {
    return stamp(time, colours).styled(style(colours, style), text).toAttributedString();
  }

  private static AttributedStringBuilder stamp(LocalTime time, boolean colours) {
    AttributedStringBuilder b = new AttributedStringBuilder();
    return b.styled(style(colours, TIME), HH_MM.format(time)).append(" ");
  }

  private static AttributedStyle style(boolean colours, AttributedStyle style) {
    return colours ? style : AttributedStyle.DEFAULT;
  }
}
