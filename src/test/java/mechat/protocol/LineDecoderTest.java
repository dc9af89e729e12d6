package mechat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Protocol §1: framing, the line limit, UTF-8 and control characters, over every split. */
class LineDecoderTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  private static Frame line(String s) {
    return new Frame.Line(s);
  }

  private static final Frame TOO_LONG = Frame.TooLong.INSTANCE;
  private static final Frame INVALID = Frame.Invalid.INSTANCE;

  private static List<Frame> decodeAll(int max, byte[]... chunks) {
    LineDecoder d = new LineDecoder(max);
    List<Frame> out = new ArrayList<>();
    for (byte[] c : chunks) out.addAll(d.decode(ByteString.fromArray(c)));
    return out;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Feeds {@code input} split at every pair of byte boundaries and expects the same frames. */
  private static void assertEverySplit(int max, byte[] input, List<Frame> expected) {
    for (int i = 0; i <= input.length; i++) {
      for (int j = i; j <= input.length; j++) {
        byte[] a = java.util.Arrays.copyOfRange(input, 0, i);
        byte[] m = java.util.Arrays.copyOfRange(input, i, j);
        byte[] z = java.util.Arrays.copyOfRange(input, j, input.length);
        assertEquals(expected, decodeAll(max, a, m, z), "split at " + i + "," + j);
      }
    }
  }

  @Test
  void s1_lineSplitAtEveryByteBoundaryDecodesTheSame() {
    byte[] input = b("hello\nsecond line\r\ncaf\u00e9 \u65e5\u672c \uD83D\uDE00\n\n");
    assertEverySplit(
        4096,
        input,
        List.of(
            line("hello"),
            line("second line"),
            line("caf\u00e9 \u65e5\u672c \uD83D\uDE00"),
            line("")));
  }

  @Test
  void s1_oneByteAtATimeIncludingMultiByteCharacters() {
    byte[] input = b("\u00e9\u20ac\uD83D\uDE00x\n");
    LineDecoder d = new LineDecoder(4096);
    List<Frame> out = new ArrayList<>();
    for (byte x : input) out.addAll(d.decode(ByteString.fromArray(new byte[] {x})));
    assertEquals(List.of(line("\u00e9\u20ac\uD83D\uDE00x")), out);
  }

  @Test
  void s1_manyLinesInOneChunk() {
    StringBuilder sb = new StringBuilder();
    List<Frame> expected = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      sb.append("m").append(i).append('\n');
      expected.add(line("m" + i));
    }
    assertEquals(expected, decodeAll(4096, b(sb.toString())));
  }

  @Test
  void s1_crIsStrippedOnlyBeforeLf() {
    assertEquals(List.of(line("a"), INVALID), decodeAll(4096, b("a\r\nmid\rcr\n")));
    assertEquals(List.of(line("a\t")), decodeAll(4096, b("a\t\r\n")));
  }

  @Test
  void s1_exactlyTheLimitIsAcceptedAlsoWithCrlf() {
    String max = "x".repeat(4096);
    assertEverySplit(16, b("0123456789abcdef\r\n"), List.of(line("0123456789abcdef")));
    assertEquals(List.of(line(max)), decodeAll(4096, b(max + "\n")));
    assertEquals(List.of(line(max)), decodeAll(4096, b(max + "\r"), b("\n")));
    assertEquals(List.of(line(max)), decodeAll(4096, b(max), b("\r"), b("\n")));
  }

  @Test
  void s1_oneByteOverTheLimitIsTooLongAndDecodingCarriesOn() {
    assertEverySplit(16, b("0123456789abcdefg\nok\n"), List.of(TOO_LONG, line("ok")));
    assertEverySplit(16, b("0123456789abcdef\r\r\nok\n"), List.of(TOO_LONG, line("ok")));
  }

  @Test
  void s1_tooLongIsReportedOnceBeforeTheLfArrives() {
    LineDecoder d = new LineDecoder(4096);
    assertEquals(List.of(TOO_LONG), d.decode(ByteString.fromArray(b("q".repeat(10000)))));
    assertEquals(List.of(), d.decode(ByteString.fromArray(b("q".repeat(100000)))));
    assertEquals(List.of(line("after")), d.decode(ByteString.fromArray(b("tail\nafter\n"))));
  }

  @Test
  void s1_neverBuffersMoreThanTheLimitPlusOneChunk() {
    LineDecoder d = new LineDecoder(4096);
    byte[] chunk = b("z".repeat(1000));
    int frames = 0;
    for (int i = 0; i < 2 * 1024; i++) { // 2 MiB without LF
      frames += d.decode(ByteString.fromArray(chunk)).size();
      assertTrue(d.bufferedBytes() <= 4096 + 1, "buffered " + d.bufferedBytes());
    }
    assertEquals(1, frames, "one TooLong for the whole line");
    assertEquals(List.of(line("next")), d.decode(ByteString.fromArray(b("\nnext\n"))));
  }

  @Test
  void s1_invalidUtf8IsRejected() {
    for (byte[] bad :
        new byte[][] {
          {(byte) 0xff},
          {'a', 'b', (byte) 0xc3},
          {(byte) 0xc0, (byte) 0xaf},
          {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
          {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}
        }) {
      byte[] in = java.util.Arrays.copyOf(bad, bad.length + 1);
      in[bad.length] = '\n';
      assertEquals(List.of(INVALID), decodeAll(4096, in), java.util.Arrays.toString(bad));
    }
  }

  @Test
  void s1_controlCharactersAreRejectedButTabIsText() {
    for (String bad :
        new String[] {
          "\u001b[31mred", "a\u0000b", "x\u007fy", "c1 \u0085 ctl", "bell\u0007", "\u009b"
        }) {
      assertEquals(List.of(INVALID), decodeAll(4096, b(bad + "\n")), bad);
    }
    assertEquals(List.of(line("tab\tok")), decodeAll(4096, b("tab\tok\n")));
  }

  @Test
  void s1_aMultiByteCharacterSplitAcrossReadsInAStream() throws Exception {
    byte[] all = b("\u65e5\u672c\u8a9e\n");
    List<ByteString> chunks = new ArrayList<>();
    for (byte x : all) chunks.add(ByteString.fromArray(new byte[] {x}));
    LineDecoder decoder = new LineDecoder(4096);
    List<Frame> out =
        Source.from(chunks)
            .via(Flow.of(ByteString.class).map(decoder::decode).mapConcat(l -> l))
            .runWith(Sink.seq(), testKit.system())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertEquals(List.of(line("\u65e5\u672c\u8a9e")), out);
  }

  @Test
  void s1_anUnfinishedLineAtTheEndIsNotAFrame() {
    assertEquals(List.of(line("a")), decodeAll(4096, b("a\nunfinished")));
  }
}
