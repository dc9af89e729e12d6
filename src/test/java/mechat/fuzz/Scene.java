package mechat.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import mechat.chat.MatchmakerActor;
import mechat.protocol.Notices;
import mechat.testing.Awaits;

/**
 * One server, four clients: an honest pair ha and hb chatting, a listener li waiting, and F, whose
 * bytes are fuzzed and cut into reads. What F and li must read follows from the spec alone ({@link
 * ProtocolModel}); ha and hb must read each other's lines and nothing else; every line anyone reads
 * must be a line of §2; nothing may log a warning or an error; and when everyone has left, the
 * matchmaker must hold no name, queue or conversation.
 */
final class Scene {
  private Scene() {}

  /** A client connection: writes reads, ends its input (FIN), and records what it reads. */
  interface Peer {
    void send(byte[] read);

    void endInput();

    Transcript output();
  }

  /** A server to play the scene on: in memory through the Transport seam, or over TCP. */
  interface World {
    /** A new connection; {@code reads} is how many sends it may get before they are taken. */
    Peer connect(String label, int reads);

    MatchmakerActor.Stats stats() throws Exception;

    /** False when the server must not be sent bytes after F's /quit (TCP would reset). */
    boolean sendsPastQuit();
  }

  /** F's bytes, the server's line limit, and where the bytes are cut into reads. */
  record Case(int max, byte[] input, int[] cuts) {}

  static final Duration WAIT = Duration.ofSeconds(20);
  private static final Set<String> TAKEN = Set.of("ha", "hb", "li");
  private static final int HONEST_LINES = 5;

  static Fuzz.Domain<Case> domain(int[] limits) {
    return new Fuzz.Domain<>() {
      @Override
      public Case draw(SplittableRandom r) {
        int max = limits[r.nextInt(limits.length)];
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        if (r.nextInt(4) != 0) { // mostly a name first, so that F gets to chat
          String name = r.nextBoolean() ? "fz" : Inputs.WORDS[r.nextInt(Inputs.WORDS.length)];
          in.writeBytes(
              (name + (r.nextBoolean() ? "\n" : "\r\n")).getBytes(StandardCharsets.UTF_8));
        }
        int tokens = r.nextInt(30);
        for (int i = 0; i < tokens; i++) in.writeBytes(Inputs.token(r, max));
        byte[] input = in.toByteArray();
        return new Case(max, input, Inputs.cuts(r, input.length));
      }

      @Override
      public Iterator<Case> shrink(Case c) {
        return Inputs.shrinkBytes(c.input(), c.cuts(), (in, cuts) -> new Case(c.max(), in, cuts));
      }

      @Override
      public String describe(Case c) {
        return "max-line-bytes "
            + c.max()
            + ", F sends "
            + Inputs.show(c.input())
            + " cut at "
            + Arrays.toString(c.cuts());
      }

      @Override
      public byte[] bytes(Case c) {
        return c.input();
      }
    };
  }

  static void play(World world, Case c, LogWatch logs) throws Exception {
    Peer a = world.connect("ha", 2 + HONEST_LINES);
    a.send(line("ha"));
    expect(a, List.of(Notices.WAIT));
    Peer b = world.connect("hb", 2 + HONEST_LINES);
    b.send(line("hb"));
    expect(b, List.of(Notices.matchedTo("ha")));
    expect(a, List.of(Notices.WAIT, Notices.matchedTo("hb")));
    Peer l = world.connect("li", 2);
    l.send(line("li"));
    expect(l, List.of(Notices.WAIT));

    ProtocolModel.Expected model = ProtocolModel.run(c.input(), c.max(), "li", TAKEN);
    byte[] sent = world.sendsPastQuit() ? c.input() : Arrays.copyOf(c.input(), model.readUpTo());
    int[] cuts = Arrays.stream(c.cuts()).map(x -> Math.min(x, sent.length)).toArray();
    List<byte[]> reads = Inputs.chunks(sent, cuts);
    Peer f = world.connect("F", reads.size() + 1);
    for (byte[] read : reads) f.send(read);
    f.endInput();
    List<String> aExpected = new ArrayList<>(List.of(Notices.WAIT, Notices.matchedTo("hb")));
    List<String> bExpected = new ArrayList<>(List.of(Notices.matchedTo("ha")));
    for (int i = 0; i < HONEST_LINES; i++) { // while F is at it
      a.send(line("a" + i));
      b.send(line("b" + i));
      aExpected.add("hb: b" + i);
      bExpected.add("ha: a" + i);
    }

    if (!f.output().awaitEnd(WAIT)) {
      fail("the server never closed F's connection; F read " + f.output());
    }
    assertEquals(model.fuzzer(), f.output().lines(), "what F reads");
    assertEquals("\"\"", Inputs.show(f.output().unterminated()), "F's last line is unfinished");
    List<String> lExpected = new ArrayList<>(List.of(Notices.WAIT));
    lExpected.addAll(model.listener());
    expect(l, lExpected);
    expect(a, aExpected);
    expect(b, bExpected);

    // li leaves, and is gone before the pair parts (or hb might be matched with li)
    l.endInput();
    assertTrue(l.output().awaitEnd(WAIT), "li's connection closes");
    Awaits.until(
        () -> world.stats().equals(new MatchmakerActor.Stats(2, 0, 1)), "only the pair is left");
    assertEquals(lExpected, l.output().lines(), "li reads nothing more");
    a.endInput();
    b.endInput();
    for (Peer p : List.of(a, b)) {
      assertTrue(p.output().awaitEnd(WAIT), "an honest connection closes");
      List<String> all = p.output().lines();
      List<String> before = p == a ? aExpected : bExpected;
      assertEquals(before, all.subList(0, Math.min(all.size(), before.size())), "honest lines");
      List<String> after = all.subList(before.size(), all.size());
      assertTrue(
          List.of(Notices.PARTNER_LEFT, Notices.WAIT).subList(0, after.size()).equals(after),
          "after both leave at once, at most: partner left, wait; got " + after);
    }
    for (Peer p : List.of(a, b, l, f)) {
      for (String line : p.output().lines()) {
        String problem = ServerLines.problem(line);
        if (problem != null)
          fail(problem + ": " + Inputs.show(line.getBytes(StandardCharsets.UTF_8)));
      }
      assertEquals(null, p.output().failure(), "output ends without an error");
    }
    Awaits.until(
        () -> world.stats().equals(new MatchmakerActor.Stats(0, 0, 0)),
        "the matchmaker holds no name, queue or conversation once everyone left");
    assertEquals(List.of(), logs.drain(), "warnings and errors logged");
  }

  private static void expect(Peer p, List<String> lines) throws InterruptedException {
    p.output().awaitLines(lines.size(), WAIT);
    assertEquals(lines, p.output().lines(), () -> "what " + p + " reads");
  }

  private static byte[] line(String s) {
    return (s + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
