package mechat.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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

  /**
   * The unfinished line: at most maxLineBytes + 1 bytes (the +1 for a CR awaiting its LF). It
   * starts small and grows on demand: most connections never hold a long line.
   */
  private byte[] partial = new byte[0];

  private int partialLength;
  private boolean dropping;

  public LineDecoder(int maxLineBytes) {
    if (maxLineBytes < 1) throw new IllegalArgumentException("maxLineBytes must be >= 1");
    this.maxLineBytes = maxLineBytes;
  }

  /** Decodes one chunk; returns the frames it completes, in order (often empty). */
  public List<Frame> decode(ByteString chunk) {
    byte[] in = chunk.toArray(); // one copy per read; lines are then cut by index, not sliced
    int pos = 0;
    List<Frame> frames = new ArrayList<>(4);
    if (dropping) {
      int lf = indexOfLf(in, 0);
      if (lf < 0) return frames; // still inside the over-long line
      dropping = false;
      pos = lf + 1;
    } else if (partialLength > 0) {
      int lf = indexOfLf(in, 0);
      if (lf < 0) {
        keepUnfinished(frames, in, 0);
        return frames;
      }
      frames.add(finishPartial(in, lf));
      pos = lf + 1;
    }
    for (int lf; (lf = indexOfLf(in, pos)) >= 0; pos = lf + 1) {
      int end = lf > pos && in[lf - 1] == CR ? lf - 1 : lf;
      frames.add(end - pos > maxLineBytes ? Frame.TooLong.INSTANCE : classify(in, pos, end - pos));
    }
    keepUnfinished(frames, in, pos);
    return frames;
  }

  /** Bytes held for the unfinished line (for tests of the memory bound). */
  public int bufferedBytes() {
    return partialLength;
  }

  /** The held start of a line plus {@code in[0, lf)} make one line. */
  private Frame finishPartial(byte[] in, int lf) {
    int length = partialLength + lf;
    partialLength = 0;
    if (length > maxLineBytes + 1) return Frame.TooLong.INSTANCE;
    byte[] line = new byte[length];
    System.arraycopy(partial, 0, line, 0, length - lf);
    System.arraycopy(in, 0, line, length - lf, lf);
    if (length > 0 && line[length - 1] == CR) length--;
    return length > maxLineBytes ? Frame.TooLong.INSTANCE : classify(line, 0, length);
  }

  /**
   * Holds {@code in[from, end)} (no LF in it) after what is already held, or, past the limit,
   * reports TooLong once and drops the rest of the line. A held line may be one byte over the limit
   * when that byte is the CR of a CRLF.
   */
  private void keepUnfinished(List<Frame> frames, byte[] in, int from) {
    int add = in.length - from;
    if (add == 0) return;
    int length = partialLength + add;
    boolean over =
        length > maxLineBytes + 1 || (length == maxLineBytes + 1 && in[in.length - 1] != CR);
    if (over) {
      frames.add(Frame.TooLong.INSTANCE);
      dropping = true;
      partialLength = 0;
    } else {
      if (length > partial.length) {
        partial =
            Arrays.copyOf(
                partial, Math.min(maxLineBytes + 1, Math.max(length, 2 * partial.length + 64)));
      }
      System.arraycopy(in, from, partial, partialLength, add);
      partialLength = length;
    }
  }

  private static int indexOfLf(byte[] in, int from) {
    for (int i = from; i < in.length; i++) {
      if (in[i] == LF) return i;
    }
    return -1;
  }

  private Frame classify(byte[] bytes, int offset, int length) {
    if (isPrintableAscii(bytes, offset, length)) {
      return new Frame.Line(new String(bytes, offset, length, StandardCharsets.ISO_8859_1));
    }
    String text;
    try {
      CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(bytes, offset, length));
      text = chars.toString();
    } catch (CharacterCodingException e) {
      return Frame.Invalid.INSTANCE;
    }
    return hasControlCharacter(text) ? Frame.Invalid.INSTANCE : new Frame.Line(text);
  }

  private static boolean isPrintableAscii(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (b < 0x20 ? b != '\t' : b == 0x7f) return false; // negative bytes: not ASCII
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
