package mechat.bench.abuse;

import static mechat.bench.abuse.Pairing.ANSWER;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import mechat.bench.load.Payload;
import mechat.bench.load.SequenceTracker;
import mechat.protocol.ChatLine;
import mechat.protocol.Notices;

/**
 * What each kind of abuser does, one episode at a time, and what the server must answer (protocol
 * v1). Each method throws {@link Abuse.Violation} when the server breaks a rule, and alternates its
 * variants by the episode number: before a name (nothing registered, nobody to meet) and while
 * chatting (a pair from {@link Pairing}, so the partner can check what arrives).
 */
final class Episodes {
  static final int LONG_LINE_BYTES = 2 << 20;

  /** Flood lines to a reader that never reads: below the default max-line-bytes (4096). */
  static final int SLOW_FLOOD_LINE = 4000;

  /** The never-reading side's SO_RCVBUF: small, so the server's output to it backs up soon. */
  static final int SLOW_READER_RECEIVE_BUFFER = 4096;

  /**
   * Flood lines: 4000 bytes. When the flooder leaves, the server still delivers what it had
   * buffered of the flood (its socket's receive buffer and one read ahead, up to about 1 MB), at
   * the rate limit: long lines keep that tail short (12 s at the default 20/s).
   */
  static final int FLOOD_SIZE = 4000;

  /** How long a flooder floods; its rate is measured after the first second (the burst). */
  static final long FLOOD_NANOS = 9_000_000_000L;

  private static final byte[] LONG_CHUNK = new byte[64 * 1024];

  static {
    for (int i = 0; i < LONG_CHUNK.length; i++) LONG_CHUNK[i] = (byte) ('a' + i % 26);
  }

  private Episodes() {}

  static void run(Episode e) throws IOException {
    switch (e.kind) {
      case GARBAGE -> garbage(e);
      case LONG_LINE -> longLine(e);
      case VANISH -> vanish(e);
      case RESET -> reset(e);
      case HALF_CLOSE -> halfClose(e);
      case SLOW_READER -> slowReader(e);
      case FLOOD -> flood(e);
    }
  }

  // ---------------------------------------------------------------- garbage

  /** Lines of garbage, written in random pieces; each must be answered as invalid. */
  private static void garbage(Episode e) throws IOException {
    if (e.variant(2) == 0) {
      ScriptedSocket c = e.connect();
      GarbageScript s = GarbageScript.of(e.random, false);
      s.writeInPieces(c, e.random);
      for (int i = 0; i < s.invalid; i++) c.expectLine(Notices.INVALID_USERNAME, ANSWER);
      c.write(Garbage.invalidLine(e.random)); // and leave in the middle of one more
      if (e.random.nextBoolean()) c.reset();
      return;
    }
    Pairing.Pair p = Pairing.register(e, 0);
    GarbageScript a = GarbageScript.of(e.random, true);
    GarbageScript b = GarbageScript.of(e.random, true);
    a.writeInPieces(p.first(), e.random);
    b.writeInPieces(p.second(), e.random);
    expectAnswers(p.first(), a.invalid, p.secondName(), b.texts);
    expectAnswers(p.second(), b.invalid, p.firstName(), a.texts);
    e.gate()
        .run(
            () -> {
              Pairing.quit(p.first());
              Pairing.quit(p.second());
            });
  }

  /**
   * {@code invalid} notices for our garbage and the partner's text lines, in order, nothing else.
   */
  private static void expectAnswers(
      ScriptedSocket c, int invalid, String partner, List<String> texts) throws IOException {
    int notices = 0;
    int chats = 0;
    while (notices < invalid || chats < texts.size()) {
      String line = c.expectAnyLine(ANSWER, "waiting for the answers to garbage");
      if (line.equals(Notices.INVALID_MESSAGE) && notices < invalid) {
        notices++;
      } else if (chats < texts.size() && line.equals(chat(partner, texts.get(chats)))) {
        chats++;
      } else {
        throw new Abuse.Violation(
            "after garbage ("
                + notices
                + " of "
                + invalid
                + " notices, "
                + chats
                + " of "
                + texts.size()
                + " partner lines so far) got '"
                + line
                + "'");
      }
    }
  }

  // ---------------------------------------------------------------- long line

  /** 2 MiB without LF, then LF and a normal line: 'message too long' once, and on it goes. */
  private static void longLine(Episode e) throws IOException {
    if (e.variant(2) == 0) {
      ScriptedSocket c = e.connect();
      writeLongLine(c);
      c.write(Garbage.ascii("\n/quit\n"));
      c.expectLine(Notices.MESSAGE_TOO_LONG, ANSWER);
      c.expectLine(Notices.BYE, ANSWER);
      if (c.readToEof(ANSWER) > 0) throw new Abuse.Violation("lines after 'bye'");
      return;
    }
    Pairing.Pair p = Pairing.register(e, 0);
    writeLongLine(p.first());
    p.first().write(Garbage.ascii("\nafter the long line\n"));
    p.first().expectLine(Notices.MESSAGE_TOO_LONG, ANSWER);
    p.second().expectLine(chat(p.firstName(), "after the long line"), ANSWER);
    e.gate()
        .run(
            () -> {
              Pairing.quit(p.first());
              Pairing.quit(p.second());
            });
  }

  private static void writeLongLine(ScriptedSocket c) throws IOException {
    for (int sent = 0; sent < LONG_LINE_BYTES; sent += LONG_CHUNK.length) c.write(LONG_CHUNK);
  }

  // ---------------------------------------------------------------- vanish

  /** Connect and go: at once, after half a name, or after a few bytes of garbage. */
  private static void vanish(Episode e) throws IOException {
    ScriptedSocket c = e.connect();
    switch (e.variant(3)) {
      case 1 -> c.write(Garbage.ascii("vanish"));
      case 2 -> c.write(Arrays.copyOf(Garbage.invalidLine(e.random), 3));
      default -> {}
    }
    c.close();
  }

  // ---------------------------------------------------------------- reset

  /**
   * TCP reset in the middle of a line: before a name; or while chatting, after three whole lines
   * (which the server may or may not have read: a reset discards unread input) or once the partner
   * has seen them. The partner gets a prefix of them in order, never the unfinished line, then
   * 'partner left'.
   */
  private static void reset(Episode e) throws IOException {
    int variant = e.variant(3);
    if (variant == 0) {
      ScriptedSocket c = e.connect();
      c.write(Garbage.ascii("half a na"));
      c.reset();
      return;
    }
    Pairing.Pair p = Pairing.register(e, 0);
    List<String> lines = List.of("before the reset 0", "before the reset 1", "before the reset 2");
    p.first().write(Garbage.ascii(String.join("\n", lines) + "\nunfinished li"));
    int seen = 0;
    if (variant == 2) {
      for (String l : lines) p.second().expectLine(chat(p.firstName(), l), ANSWER);
      seen = lines.size();
    }
    int alreadySeen = seen;
    e.gate()
        .run(
            () -> {
              p.first().reset();
              expectPrefixThenPartnerLeft(p.second(), p.firstName(), lines, alreadySeen, "a reset");
              Pairing.quit(p.second());
            });
  }

  /** Lines of {@code lines} from {@code seen} on, in order (maybe not all), then 'partner left'. */
  private static void expectPrefixThenPartnerLeft(
      ScriptedSocket c, String partner, List<String> lines, int seen, String after)
      throws IOException {
    while (true) {
      String line = c.expectAnyLine(ANSWER, "waiting for 'partner left' after " + after);
      if (line.equals(Notices.PARTNER_LEFT)) return;
      if (seen < lines.size() && line.equals(chat(partner, lines.get(seen)))) {
        seen++;
      } else {
        throw new Abuse.Violation("after " + after + " the partner got '" + line + "'");
      }
    }
  }

  // ---------------------------------------------------------------- half-close

  /**
   * shutdownOutput: the client has left (§7). Before a name the server just closes; while chatting,
   * the partner first gets every line sent before the FIN, then 'partner left'.
   */
  private static void halfClose(Episode e) throws IOException {
    if (e.variant(2) == 0) {
      ScriptedSocket c = e.connect();
      if (e.random.nextBoolean()) c.write(Garbage.ascii("half a na"));
      c.halfClose();
      if (c.readToEof(ANSWER) > 0)
        throw new Abuse.Violation("lines after a half-close before a name");
      return;
    }
    Pairing.Pair p = Pairing.register(e, 0);
    List<String> lines = List.of("before the half-close 0", "before the half-close 1");
    p.first().write(Garbage.ascii(String.join("\n", lines) + "\n"));
    e.gate()
        .run(
            () -> {
              p.first().halfClose();
              for (String l : lines) p.second().expectLine(chat(p.firstName(), l), ANSWER);
              p.second().expectLine(Notices.PARTNER_LEFT, ANSWER);
              if (p.first().readToEof(ANSWER) > 0) {
                throw new Abuse.Violation(
                    "lines to a half-closed client that had no partner any more");
              }
              Pairing.quit(p.second());
            });
  }

  // ---------------------------------------------------------------- slow reader

  /**
   * A pair: the first never reads (a small receive buffer), the second floods it. The server must
   * hold the flooder back and drop the reader after its slow-reader timeout; the flooder then gets
   * 'partner left'. What the flooder still writes is answered 'not matched' while it waits.
   */
  private static void slowReader(Episode e) throws IOException {
    Pairing.Pair p = Pairing.register(e, SLOW_READER_RECEIVE_BUFFER);
    ScriptedSocket flooder = p.second();
    byte[] line = new byte[SLOW_FLOOD_LINE + 1];
    Arrays.fill(line, (byte) 'z');
    line[SLOW_FLOOD_LINE] = '\n';
    long start = System.nanoTime();
    e.background(
        "flooder",
        () -> {
          while (true) flooder.write(line);
        });
    try {
      String got = flooder.readLine(e.driver().slowReaderWait());
      if (got == null) {
        throw new Abuse.Violation("the server closed the flooding side of a slow reader");
      }
      if (!got.equals(Notices.PARTNER_LEFT)) {
        throw new Abuse.Violation("the partner of a reader that reads nothing got '" + got + "'");
      }
    } catch (ScriptedSocket.Timeout t) {
      throw new Abuse.Violation(
          "a reader that read nothing was not dropped within "
              + e.driver().slowReaderWait().toSeconds()
              + " s");
    }
    e.driver().stats().slowReaderDropped((System.nanoTime() - start) / 1e9);
    // It is back in the queue until the server has worked through what it had read of the flood
    // (at the rate limit) and then the reset: sweep it away before a pair meets it.
    flooder.reset();
    Pairing.sweep(e);
  }

  // ---------------------------------------------------------------- flood

  /**
   * A pair: the first sends lines as fast as its socket takes them, the second reads and checks
   * each (sender, bytes, sequence: the rate limit slows, never drops or reorders, §5.5). Then the
   * flooder resets, and the reader gets what the server had read of the flood, then 'partner left'.
   * That tail comes at the rate too, so the gate is not held meanwhile: the reader is still matched
   * (to a client that is gone), in nobody's way, until 'partner left'.
   */
  private static void flood(Episode e) throws IOException {
    Pairing.Pair p = Pairing.register(e, 0);
    ScriptedSocket flooder = p.first();
    ScriptedSocket reader = p.second();
    Payload payload = new Payload(FLOOD_SIZE);
    e.background(
        "flooder",
        () -> {
          int perWrite = 16;
          byte[] batch = new byte[perWrite * (FLOOD_SIZE + 1)];
          for (long seq = 0; ; ) {
            for (int k = 0; k < perWrite; k++, seq++) {
              int at = k * (FLOOD_SIZE + 1);
              payload.write(batch, at, 0, seq, System.nanoTime());
              batch[at + FLOOD_SIZE] = '\n';
            }
            flooder.write(batch);
          }
        });
    FloodCheck check = new FloodCheck(payload, p.firstName());
    check.accept(reader.expectAnyLine(ANSWER, "waiting for the first flood line"));
    long first = System.nanoTime();
    long counted = 0; // after the first second: the burst is not the rate
    while (System.nanoTime() - first < FLOOD_NANOS) {
      check.accept(reader.expectAnyLine(ANSWER, "flooded"));
      if (System.nanoTime() - first > 1_000_000_000L) counted++;
    }
    flooder.reset();
    String line;
    while (!(line = reader.expectAnyLine(ANSWER, "waiting for 'partner left' after a flood"))
        .equals(Notices.PARTNER_LEFT)) {
      check.accept(line);
    }
    // 'partner left' put the reader back in the queue: go at once. (Quitting under the gate would
    // deadlock with a pair registering meanwhile, which meets the reader and waits it out.)
    reader.close();
    e.driver().stats().flooded(check.lines, counted / ((FLOOD_NANOS - 1_000_000_000L) / 1e9));
  }

  /** What the flood's reader checks: every line from the flooder, intact, once, in order. */
  private static final class FloodCheck {
    private final Payload payload;
    private final String prefix;
    private final SequenceTracker seen = new SequenceTracker();
    long lines;

    FloodCheck(Payload payload, String flooder) {
      this.payload = payload;
      this.prefix = flooder + ChatLine.SEPARATOR;
    }

    void accept(String line) {
      if (!line.startsWith(prefix)) throw new Abuse.Violation("flooded reader got '" + line + "'");
      byte[] b = line.substring(prefix.length()).getBytes(StandardCharsets.ISO_8859_1);
      long seq = Payload.readSeq(b, 0, b.length);
      if (seq < 0 || !payload.bodyMatches(b, 0, b.length, 0, seq, Payload.readStamp(b, 0))) {
        throw new Abuse.Violation("a flood line arrived corrupted: '" + line + "'");
      }
      SequenceTracker.Verdict v = seen.accept(seq);
      if (v != SequenceTracker.Verdict.IN_ORDER) {
        throw new Abuse.Violation(
            "flood line " + seq + " arrived " + v + " (expected " + (seen.expected() - 1) + ")");
      }
      lines++;
    }
  }

  // ---------------------------------------------------------------- helpers

  private static String chat(String sender, String text) {
    return new ChatLine(sender, text).format();
  }
}
