package mechat.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.util.ByteString;

/**
 * Encodes server lines for the wire (§1, §2): UTF-8, each ended by a bare LF; the fixed notices are
 * encoded once. {@link LineDecoder} is its counterpart for input.
 */
public final class LineEncoder {
  private static final ConcurrentHashMap<String, ByteString> FIXED = new ConcurrentHashMap<>();

  private LineEncoder() {}

  /** A notice (§2) as one line. */
  public static ByteString notice(String notice) {
    if (notice.startsWith(Notices.MATCHED_TO_PREFIX)) return line(notice);
    return FIXED.computeIfAbsent(notice, LineEncoder::line);
  }

  /** {@code SENDER: TEXT} for each text, as one buffer. */
  public static ByteString chatLines(String sender, List<String> texts) {
    byte[] prefix = (sender + ChatLine.SEPARATOR).getBytes(StandardCharsets.UTF_8);
    byte[][] encoded = new byte[texts.size()][];
    int length = 0;
    for (int i = 0; i < encoded.length; i++) {
      encoded[i] = texts.get(i).getBytes(StandardCharsets.UTF_8);
      length += prefix.length + encoded[i].length + 1;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] text : encoded) {
      System.arraycopy(prefix, 0, out, at, prefix.length);
      at += prefix.length;
      System.arraycopy(text, 0, out, at, text.length);
      at += text.length;
      out[at++] = '\n';
    }
    return ByteString.fromArrayUnsafe(out); // never written to again
  }

  private static ByteString line(String text) {
    return ByteString.fromString(text + "\n", StandardCharsets.UTF_8);
  }
}
