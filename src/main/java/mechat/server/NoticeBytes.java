package mechat.server;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import mechat.protocol.ChatLine;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

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
    ByteStringBuilder b = new ByteStringBuilder();
    for (String text : texts) {
      b.putBytes(prefix);
      b.putBytes(text.getBytes(StandardCharsets.UTF_8));
      b.putByte((byte) '\n');
    }
    return b.result();
  }

  private static ByteString line(String text) {
    return ByteString.fromString(text + "\n", StandardCharsets.UTF_8);
  }
}
