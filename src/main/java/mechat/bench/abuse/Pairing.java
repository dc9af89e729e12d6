package mechat.bench.abuse;

import java.io.IOException;
import java.time.Duration;
import mechat.protocol.Notices;

/**
 * Makes two abusers a matched pair, and takes registered abusers away again, under the driver's
 * {@link Abuse.Gate}. The matchmaker pairs anyone with anyone, first come first served: if two
 * episodes registered at once, their clients would cross. With every registration and every
 * deliberate departure of a registered abuser under one gate, the first of a pair finds nobody
 * waiting ({@code wait}) and the second finds the first. Only the server's own decisions (it drops
 * a slow reader, whose partner is requeued) and departures it has not processed yet (a reset a few
 * microseconds old) can leave an abuser waiting outside the gate; a pair that meets such a stranger
 * is {@link Mismatch}ed: counted, not the server's fault.
 */
final class Pairing {
  static final Duration ANSWER = Duration.ofSeconds(15);

  /** How long a pair waits for a stranger it met to leave. */
  static final Duration WAIT_OUT = Duration.ofSeconds(30);

  /** Two connections matched with each other; {@code first} registered first. */
  record Pair(ScriptedSocket first, String firstName, ScriptedSocket second, String secondName) {}

  /** The pair met a client of someone else (another episode's leftover). */
  static final class Mismatch extends RuntimeException {
    Mismatch(String message) {
      super(message, null, false, false);
    }
  }

  private Pairing() {}

  /**
   * Registers two new clients; the first with SO_RCVBUF {@code firstReceiveBuffer} if > 0. When one
   * of them meets a stranger (typically a flooder whose reader the server dropped: it stays in the
   * queue until the server has worked through what it had read of the flood, at the rate limit), it
   * stays with the stranger until the stranger leaves, so that nobody else meets it; then both quit
   * and the pair is a {@link Mismatch}.
   */
  static Pair register(Episode e, int firstReceiveBuffer) throws IOException {
    Pair[] pair = new Pair[1];
    e.gate()
        .run(
            () -> {
              String a = e.newName();
              ScriptedSocket first = e.connect(firstReceiveBuffer);
              first.send(a);
              String answer = registered(first);
              if (!answer.equals(Notices.WAIT)) {
                waitOut(first, answer);
                quit(first);
                throw new Mismatch("the first of a pair got '" + answer + "'");
              }
              String b = e.newName();
              ScriptedSocket second = e.connect();
              second.send(b);
              answer = registered(second);
              if (!answer.equals(Notices.matchedTo(a))) {
                // a stranger turned up after 'wait' and took the first
                if (!answer.equals(Notices.WAIT)) waitOut(second, answer);
                String taken = first.expectAnyLine(ANSWER, "waiting for the first to be matched");
                if (!taken.startsWith(Notices.MATCHED_TO_PREFIX)) {
                  throw new Abuse.Violation(
                      "the second of a pair got '"
                          + answer
                          + "', and the first,"
                          + " which had got 'wait', then got '"
                          + taken
                          + "'");
                }
                waitOut(first, taken);
                quit(first);
                quit(second);
                throw new Mismatch(
                    "the second of a pair got '" + answer + "'; the first got '" + taken + "'");
              }
              String firstMatch =
                  first.expectAnyLine(ANSWER, "waiting to be matched with the second");
              if (!firstMatch.equals(Notices.matchedTo(b))) {
                if (!firstMatch.startsWith(Notices.MATCHED_TO_PREFIX)) {
                  throw new Abuse.Violation(
                      "the first of a pair, matched by the second, got '" + firstMatch + "'");
                }
                // A stranger took the first after its 'wait' and left at once (a client whose reset
                // the
                // server had not yet seen): the first was requeued and met the second. Not ours to
                // judge.
                quit(first);
                quit(second);
                throw new Mismatch(
                    "the first of a pair met '" + firstMatch + "' before the second");
              }
              pair[0] = new Pair(first, a, second, b);
            });
    return pair[0];
  }

  /**
   * Takes a leftover of our own out of the way: a sweeper registers, meets the leftover if it is
   * still waiting, stays with it until it leaves, and quits.
   */
  static void sweep(Episode e) throws IOException {
    e.gate()
        .run(
            () -> {
              ScriptedSocket sweeper = e.connect();
              sweeper.send(e.newName());
              String answer = registered(sweeper);
              if (!answer.equals(Notices.WAIT)) waitOut(sweeper, answer);
              quit(sweeper);
            });
  }

  /** 'wait' or 'matched to NAME'. */
  private static String registered(ScriptedSocket c) throws IOException {
    String line = c.expectAnyLine(ANSWER, "registering");
    if (line.equals(Notices.WAIT) || line.startsWith(Notices.MATCHED_TO_PREFIX)) return line;
    throw new Abuse.Violation("registering: expected 'wait' or 'matched to', got '" + line + "'");
  }

  /** Reads (and ignores) what a stranger sends until it leaves; {@code how} says how we met. */
  private static void waitOut(ScriptedSocket c, String how) throws IOException {
    long deadline = System.nanoTime() + WAIT_OUT.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line;
      try {
        line = c.readLine(Duration.ofNanos(Math.max(1, left)));
      } catch (ScriptedSocket.Timeout t) {
        throw new Mismatch(
            "a stranger ('" + how + "') stayed longer than " + WAIT_OUT.toSeconds() + " s");
      }
      if (line == null)
        throw new Abuse.Violation("the server closed a client waiting out a stranger");
      if (line.equals(Notices.PARTNER_LEFT)) return;
    }
  }

  /**
   * Quits and reads to the end of the stream: when this returns, the server has taken the name back
   * (it says bye and closes only after telling the matchmaker). Call it under the gate.
   */
  static void quit(ScriptedSocket c) throws IOException {
    c.send("/quit");
    c.readToEof(ANSWER);
  }
}
