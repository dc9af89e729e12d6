package mechat.web;

import java.util.ArrayList;
import java.util.List;
import mechat.protocol.Notices;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The server's output to a browser (§10): the connection's bytes, LF-terminated lines, become one
 * text message per line without its terminator; when the output completes, a Close whose code
 * follows from the last line sent. When it fails (a reader dropped for not reading), no Close
 * follows: the failure goes on. A line cut between two chunks is joined first.
 */
final class OutboundLines {
  /** Close codes of RFC 6455 that §10 uses. */
  static final int NORMAL = 1000;

  static final int GOING_AWAY = 1001;
  static final int TRY_AGAIN_LATER = 1013;

  private OutboundLines() {}

  /** What goes to the browser: a line as one text message, then the Close. */
  sealed interface Out {}

  record Line(String text) implements Out {}

  record Close(int code) implements Out {}

  static Flow<ByteString, Out, NotUsed> flow() {
    return Flow.fromMaterializer(
            (materializer, attributes) -> {
              Split split = new Split(); // one per connection
              return Flow.of(ByteString.class)
                  .mapConcat(split::add)
                  .concatLazy(
                      Source.lazySingle(split::close)); // pulled at the end, never after a failure
            })
        .mapMaterializedValue(m -> NotUsed.notUsed());
  }

  /**
   * The close code after {@code lastLine}: 1013 (try again later) after a refusal for load, 1001
   * (going away) after {@code server shutting down}, 1000 after anything else ({@code bye}, {@code
   * timeout}, or a client that left).
   */
  static int closeCode(String lastLine) {
    if (Notices.SERVER_FULL.equals(lastLine) || Notices.TOO_MANY_CONNECTIONS.equals(lastLine)) {
      return TRY_AGAIN_LATER;
    }
    return Notices.SERVER_SHUTTING_DOWN.equals(lastLine) ? GOING_AWAY : NORMAL;
  }

  /** The bytes of an unfinished line, and the last line sent. */
  private static final class Split {
    private static final byte LF = '\n';

    private ByteString partial = ByteString.emptyByteString();
    private String lastLine = "";

    List<Out> add(ByteString chunk) {
      ByteString bytes = partial.isEmpty() ? chunk : partial.concat(chunk);
      List<Out> lines = new ArrayList<>();
      int start = 0;
      for (int lf = bytes.indexOf(LF); lf >= 0; lf = bytes.indexOf(LF, start)) {
        lastLine = bytes.slice(start, lf).utf8String();
        lines.add(new Line(lastLine));
        start = lf + 1;
      }
      partial = bytes.drop(start);
      return lines;
    }

    Out close() {
      return new Close(closeCode(lastLine));
    }
  }
}
