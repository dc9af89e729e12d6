package mechat.bench.abuse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Garbage lines for an abuser to send, and what they should bring back: invalid-line notices, and
 * chat lines for its partner.
 */
final class GarbageScript {
  final byte[] bytes;
  final int invalid;
  final List<String> texts;

  private GarbageScript(byte[] bytes, int invalid, List<String> texts) {
    this.bytes = bytes;
    this.invalid = invalid;
    this.texts = texts;
  }

  /** 1-30 invalid lines (LF or CRLF), and with {@code texts} up to 10 chat lines among them. */
  static GarbageScript of(Random r, boolean texts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int invalid = 1 + r.nextInt(30);
    List<String> chat = new ArrayList<>();
    int textLines = texts ? r.nextInt(11) : 0;
    int left = invalid;
    int textsLeft = textLines;
    while (left + textsLeft > 0) {
      if (textsLeft > 0 && (left == 0 || r.nextInt(left + textsLeft) < textsLeft)) {
        String t = Garbage.textLine(r);
        chat.add(t);
        out.writeBytes(t.getBytes(StandardCharsets.US_ASCII));
        textsLeft--;
      } else {
        out.writeBytes(Garbage.invalidLine(r));
        left--;
      }
      out.writeBytes(r.nextBoolean() ? new byte[] {'\n'} : new byte[] {'\r', '\n'});
    }
    return new GarbageScript(out.toByteArray(), invalid, chat);
  }

  /** Writes in pieces of 1 to 1500 bytes: the server must handle every split (§1). */
  void writeInPieces(ScriptedSocket c, Random r) throws IOException {
    for (int off = 0; off < bytes.length; ) {
      int n = Math.min(bytes.length - off, 1 + r.nextInt(1500));
      c.write(bytes, off, n);
      off += n;
    }
  }
}
