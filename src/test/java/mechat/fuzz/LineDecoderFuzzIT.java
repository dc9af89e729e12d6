package mechat.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import mechat.protocol.Frame;
import mechat.protocol.LineDecoder;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Protocol §1 under random input: any bytes, cut into reads anywhere, decode to exactly the frames
 * that {@link ReferenceDecoder} reads from the same bytes at once, after every read (so an
 * over-long line is reported as soon as the limit is passed); the decoder never throws, never holds
 * more than the limit plus one CR, and no line it lets through holds a control character or
 * anything but well-formed UTF-8. Small limits make the over-long paths common.
 */
class LineDecoderFuzzIT {

  /** One input, its limit, and where it is cut into reads. */
  record Fed(int max, byte[] input, int[] cuts) {}

  static final Fuzz.Domain<Fed> FED =
      new Fuzz.Domain<>() {
        @Override
        public Fed draw(SplittableRandom r) {
          int pick = r.nextInt(10);
          int max = pick < 3 ? 1 + r.nextInt(8) : pick < 8 ? 9 + r.nextInt(56) : 4096;
          byte[] input = Inputs.draw(r, max);
          return new Fed(max, input, Inputs.cuts(r, input.length));
        }

        @Override
        public Iterator<Fed> shrink(Fed f) {
          return Inputs.shrinkBytes(f.input(), f.cuts(), (in, cuts) -> new Fed(f.max(), in, cuts));
        }

        @Override
        public String describe(Fed f) {
          return "max "
              + f.max()
              + ", input "
              + Inputs.show(f.input())
              + ", cut at "
              + Arrays.toString(f.cuts());
        }

        @Override
        public byte[] bytes(Fed f) {
          return f.input();
        }
      };

  /** The property: see the class comment. */
  static void decodesLikeTheReference(Fed f) {
    List<ReferenceDecoder.Framed> expected =
        ReferenceDecoder.framed(f.input(), f.input().length, f.max());
    LineDecoder decoder = new LineDecoder(f.max());
    List<Frame> frames = new ArrayList<>();
    int read = 0;
    int due = 0; // how many expected frames are due after the bytes read so far
    for (byte[] chunk : Inputs.chunks(f.input(), f.cuts())) {
      frames.addAll(decoder.decode(ByteString.fromArray(chunk)));
      int before = due;
      read += chunk.length;
      while (due < expected.size() && expected.get(due).due() <= read) due++;
      int end = read;
      if (frames.size() != due
          || !frames.subList(before, due).equals(frames(expected, before, due))) {
        fail(
            "once the first "
                + end
                + " bytes are read, expected "
                + show(frames(expected, 0, due))
                + " but the decoder gave "
                + show(frames));
      }
      assertTrue(
          decoder.bufferedBytes() <= f.max() + 1,
          () -> "holds " + decoder.bufferedBytes() + " bytes after " + end + ", limit " + f.max());
    }
    assertEquals(expected.size(), due, "every frame due by the end");
    for (Frame frame : frames) {
      if (frame instanceof Frame.Line line) assertCleanLine(line.text(), f.max());
    }
  }

  static String show(List<Frame> frames) {
    return frames.stream()
        .map(
            f ->
                f instanceof Frame.Line l
                    ? Inputs.show(l.text().getBytes(StandardCharsets.UTF_8))
                    : f == Frame.TooLong.INSTANCE ? "TooLong" : "Invalid")
        .toList()
        .toString();
  }

  private static List<Frame> frames(List<ReferenceDecoder.Framed> framed, int from, int to) {
    return framed.subList(from, to).stream().map(ReferenceDecoder.Framed::frame).toList();
  }

  /** What a line handed on may hold, checked on its own, independently of the reference. */
  static void assertCleanLine(String text, int max) {
    assertFalse(
        text.codePoints().anyMatch(ReferenceDecoder::isControl), () -> "control in " + text);
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    assertEquals(text, new String(utf8, StandardCharsets.UTF_8), "no lone surrogate");
    assertTrue(utf8.length <= max, () -> utf8.length + " bytes over the limit " + max);
  }

  @Test
  void s1_anyBytesCutAnywhereDecodeLikeTheReference() {
    Fuzz.Run run = Fuzz.check("decoder", 4000, FED, LineDecoderFuzzIT::decodesLikeTheReference);
    assertTrue(run.tries() > 0, "ran no try");
  }

  @Test
  void s1_corpusDecodesLikeTheReferenceAtEveryLimitAndSplit() {
    List<Corpus.Entry> corpus = Corpus.load("decoder");
    assertFalse(corpus.isEmpty(), "the decoder corpus is in src/test/resources/fuzz/decoder");
    for (Corpus.Entry e : corpus) {
      for (int max : new int[] {1, 2, 3, 4, 5, 8, 16, 64, 4096}) {
        for (int[] cuts : Corpus.splits(e.bytes())) {
          Fed fed = new Fed(max, e.bytes(), cuts);
          Fuzz.replay(e.name(), FED, LineDecoderFuzzIT::decodesLikeTheReference, fed);
        }
      }
    }
  }

  // ---------------------------------------------------------------- the reference itself

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The model is only worth what it reads of the spec: a few of its answers, checked by hand. */
  @Test
  void s1_theReferenceReadsTheSpecAsWritten() {
    Frame tooLong = Frame.TooLong.INSTANCE;
    Frame invalid = Frame.Invalid.INSTANCE;
    byte[] in = b("ab\r\nabc\r\r\nx\ry\n\u00e9\n\u0085\n\t\n");
    assertEquals(
        List.of(
            new Frame.Line("ab"),
            tooLong,
            invalid,
            new Frame.Line("\u00e9"),
            invalid,
            new Frame.Line("\t")),
        ReferenceDecoder.frames(in, in.length, 3));
    assertEquals(
        List.of(), ReferenceDecoder.frames(b("abc\r"), 4, 3), "a CR past the limit may be CRLF");
    assertEquals(
        List.of(tooLong), ReferenceDecoder.frames(b("abcd"), 4, 3), "reported before the LF");
    assertEquals(List.of(tooLong), ReferenceDecoder.frames(b("abc\r\r"), 5, 3));
    for (byte[] bad :
        new byte[][] {
          {(byte) 0xc0, (byte) 0x80},
          {(byte) 0xe0, (byte) 0x9f, (byte) 0xbf},
          {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
          {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
          {(byte) 0xf0, (byte) 0x9f, (byte) 0x98},
          {(byte) 0x80}
        }) {
      assertFalse(ReferenceDecoder.isWellFormedUtf8(bad), Inputs.show(bad));
    }
    int[] valid = {0, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff};
    for (int cp : valid) {
      assertTrue(ReferenceDecoder.isWellFormedUtf8(Inputs.utf8(cp)), Integer.toHexString(cp));
    }
  }
}
