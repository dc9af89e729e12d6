package mechat.bench.abuse;

import java.time.Duration;

/** The kinds of abusive client {@code bench abuse} runs, each counted on its own. */
public enum AbuseKind {
  GARBAGE("garbage", "random bytes: invalid UTF-8, control characters, escape sequences"),
  LONG_LINE("long-line", "a 2 MiB line without LF, then more lines on the same connection"),
  VANISH("vanish", "connect, maybe send half a name, close"),
  RESET("reset", "TCP reset (SO_LINGER 0) in the middle of a line"),
  HALF_CLOSE("half-close", "shutdownOutput (TCP FIN) and wait for the server to close"),
  SLOW_READER("slow-reader", "a pair: one side floods, the other never reads"),
  FLOOD("flood", "a pair: one side sends lines as fast as the socket takes them");

  final String label;
  final String description;

  AbuseKind(String label, String description) {
    this.label = label;
    this.description = description;
  }

  /**
   * How long one episode may run before the driver calls it stuck and closes its sockets: far more
   * than it needs, waiting for the pairing gate included (see {@link Pairing}).
   */
  Duration budget(Duration slowReaderWait) {
    Duration normal = Duration.ofSeconds(120);
    return this == SLOW_READER ? slowReaderWait.plus(normal) : normal;
  }
}
