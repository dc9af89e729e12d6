package mechat.server;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import mechat.protocol.ChatLine;
import org.apache.pekko.util.ByteString;

/** Encodes server lines for the wire (UTF-8, bare LF); the fixed notices are encoded once. */
final class NoticeBytes {
  private static final ConcurrentHashMap<String, ByteString> FIXED = new ConcurrentHashMap<>();

  private NoticeBytes() {}

  static ByteString of(String notice) {
    if (notice.startsWith(mechat.protocol.Notices.MATCHED_TO_PREFIX)) return line(notice);
    return FIXED.computeIfAbsent(notice, NoticeBytes::line);
  }

  /** {@code SENDER: TEXT} for each text, as one buffer. */
  static ByteString chatLines(String sender, List<String> texts) {
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
