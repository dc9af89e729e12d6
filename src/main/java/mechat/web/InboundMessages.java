package mechat.web;

import mechat.protocol.Frame;
import mechat.protocol.LineDecoder;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A browser's WebSocket messages as input lines (§10): one text message is one {@link Frame}, with
 * one trailing LF or CRLF stripped; longer than the limit in UTF-8 bytes, it is {@link
 * Frame.TooLong}; holding a control character, it is {@link Frame.Invalid}; binary, {@link
 * Frame.Binary}.
 *
 * <p>Pekko hands over a message whole ({@code Strict}) only when it came in one read; otherwise as
 * a stream of text chunks of at most one read (128 KiB), however the client fragmented it. Each
 * message's stream is read to its end, one message at a time and in order (one left unread would
 * stall the connection), keeping at most the limit plus two bytes (a CRLF) besides the chunk at
 * hand: past that, the text is dropped and only counted. Pekko itself closes the connection with
 * 1007 on text that is not UTF-8, which ends this flow's input.
 */
final class InboundMessages {
  private InboundMessages() {}

  static Flow<Message, Frame, NotUsed> flow(int maxLineBytes) {
    return Flow.<Message>create().flatMapConcat(m -> frame(m, maxLineBytes));
  }

  private static Source<Frame, NotUsed> frame(Message message, int maxLineBytes) {
    if (message.isText()) {
      TextMessage text = message.asTextMessage();
      if (text.isStrict()) {
        return Source.single(new Text(maxLineBytes).add(text.getStrictText()).frame());
      }
      return text.getStreamedText()
          .fold(new Text(maxLineBytes), Text::add)
          .map(Text::frame)
          .mapMaterializedValue(m -> NotUsed.notUsed());
    }
    return message
        .asBinaryMessage()
        .getStreamedData()
        .fold(0L, (n, bytes) -> n + bytes.size()) // drained, never kept
        .<Frame>map(n -> Frame.Binary.INSTANCE)
        .mapMaterializedValue(m -> NotUsed.notUsed());
  }

  /** One text message as it arrives: its text while within the limit, its size in UTF-8 bytes. */
  static final class Text {
    private final int maxLineBytes;
    private StringBuilder text = new StringBuilder();
    private long bytes;

    Text(int maxLineBytes) {
      this.maxLineBytes = maxLineBytes;
    }

    Text add(String chunk) {
      bytes += utf8Length(chunk);
      if (text != null && bytes > maxLineBytes + 2L) {
        text = null; // too long even with a CRLF to strip: count from now on, keep nothing
      } else if (text != null) {
        text.append(chunk);
      }
      return this;
    }

    Frame frame() {
      if (text == null) return Frame.TooLong.INSTANCE;
      int n = text.length();
      if (n >= 2 && text.charAt(n - 2) == '\r' && text.charAt(n - 1) == '\n') {
        text.setLength(n - 2);
      } else if (n >= 1 && text.charAt(n - 1) == '\n') {
        text.setLength(n - 1);
      }
      if (utf8Length(text) > maxLineBytes) return Frame.TooLong.INSTANCE;
      if (LineDecoder.hasControlCharacter(text)) return Frame.Invalid.INSTANCE;
      return new Frame.Line(text.toString());
    }
  }

  /** UTF-8 length of decoded text: a surrogate pair is 4 bytes, so 2 for each half. */
  static long utf8Length(CharSequence s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800 || Character.isSurrogate(c)) {
        n += 2;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
