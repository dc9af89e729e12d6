package mechat.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Splits a byte stream into LF-terminated lines and classifies each one (protocol §1).
 *
 * <p>Unlike {@code Framing.delimiter}, which fails the stream, an over-long line is reported as
 * {@link Frame.TooLong} as soon as the limit is passed, and its bytes are dropped up to and
 * including the next LF; decoding then carries on. At most {@code maxLineBytes} (plus one CR and
 * one input chunk) are ever held for an unfinished line. One instance per connection: it keeps
 * state between chunks.
 */
public final class LineDecoder {
  private static final byte LF = '\n';
  private static final byte CR = '\r';

  private final int maxLineBytes;
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private ByteString partial = ByteString.emptyByteString();
  private boolean dropping;

  public LineDecoder(int maxLineBytes) {
    if (maxLineBytes < 1) throw new IllegalArgumentException("maxLineBytes must be >= 1");
    this.maxLineBytes = maxLineBytes;
  }

  /** Decodes one chunk; returns the frames it completes, in order (often empty). */
  public List<Frame> decode(ByteString chunk) {
    List<Frame> frames = new ArrayList<>(2);
    ByteString data;
    if (dropping) {
      int lf = chunk.indexOf(LF);
      if (lf < 0) return frames; // still inside the over-long line
      dropping = false;
      data = chunk.drop(lf + 1);
    } else {
      data = partial.isEmpty() ? chunk : partial.concat(chunk);
    }

    int start = 0;
    int lf;
    while ((lf = data.indexOf(LF, start)) >= 0) {
      int end = lf > start && data.apply(lf - 1) == CR ? lf - 1 : lf;
      frames.add(end - start > maxLineBytes ? Frame.TooLong.INSTANCE : classify(data, start, end));
      start = lf + 1;
    }

    ByteString rest = data.drop(start);
    if (isOverLimit(rest)) {
      frames.add(Frame.TooLong.INSTANCE);
      dropping = true;
      partial = ByteString.emptyByteString();
    } else {
      partial = rest;
    }
    return frames;
  }

  /** Bytes held for the unfinished line (for tests of the memory bound). */
  public int bufferedBytes() {
    return partial.length();
  }

  // An unfinished line may hold one byte more than the limit when that byte is the CR of a CRLF.
  private boolean isOverLimit(ByteString rest) {
    int n = rest.length();
    return n > maxLineBytes + 1 || (n == maxLineBytes + 1 && rest.apply(n - 1) != CR);
  }

  private Frame classify(ByteString data, int start, int end) {
    byte[] bytes = data.slice(start, end).toArray();
    if (isPrintableAscii(bytes)) {
      return new Frame.Line(new String(bytes, StandardCharsets.ISO_8859_1));
    }
    String text;
    try {
      CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(bytes));
      text = chars.toString();
    } catch (CharacterCodingException e) {
      return Frame.Invalid.INSTANCE;
    }
    return hasControlCharacter(text) ? Frame.Invalid.INSTANCE : new Frame.Line(text);
  }

  private static boolean isPrintableAscii(byte[] bytes) {
    for (byte b : bytes) {
      if ((b < 0x20 && b != '\t') || b >= 0x7f || b < 0) return false;
    }
    return true;
  }

  /** U+0000–U+001F except TAB, U+007F and U+0080–U+009F (protocol §1). */
  public static boolean isControl(char c) {
    return (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f);
  }

  public static boolean hasControlCharacter(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      if (isControl(text.charAt(i))) return true;
    }
    return false;
  }
}
