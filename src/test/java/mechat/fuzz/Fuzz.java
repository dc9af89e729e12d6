package mechat.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Iterator;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A small property runner: each try draws a case from its own seed, checks it, and on the first
 * failure shrinks the case, saves it under {@code target/fuzz-findings/} and fails with the seed
 * that reproduces it.
 *
 * <p>The budget comes from system properties, so that {@code mvn verify} runs short and a long run
 * is one command: {@code -Dfuzz.duration=3m} runs every property for that long, otherwise each runs
 * its default tries times {@code -Dfuzz.scale=N} (default 1). {@code -Dfuzz.seed=S} replays a run.
 * Every property prints one line: its tries, seed and time.
 */
final class Fuzz {
  private static final long BASE_SEED =
      Long.getLong("fuzz.seed", new SecureRandom().nextLong() & Long.MAX_VALUE);
  private static final Path FINDINGS = Path.of("target", "fuzz-findings");

  private Fuzz() {}

  /**
   * What a property needs besides the check: how to draw a case, print it, save it and shrink it.
   */
  interface Domain<T> {
    T draw(SplittableRandom random);

    /** Candidates smaller than {@code t}, most promising first; may be lazy and long. */
    Iterator<T> shrink(T t);

    String describe(T t);

    /** The input bytes of a case, for the corpus. */
    byte[] bytes(T t);
  }

  /** The outcome of a run, for the report line and for tests of the budget. */
  record Run(String name, long tries, long seed, Duration elapsed) {}

  static <T> Run check(String name, int defaultTries, Domain<T> domain, Consumer<T> property) {
    return check(name, defaultTries, 2_000, domain, property);
  }

  /**
   * Runs {@code property} on drawn cases until the budget is spent.
   *
   * @param shrinkRuns at most this many re-runs while shrinking a failure (expensive properties
   *     pass fewer)
   */
  static <T> Run check(
      String name, int defaultTries, int shrinkRuns, Domain<T> domain, Consumer<T> property) {
    long seed = BASE_SEED ^ name.hashCode();
    Duration duration = duration();
    long tries = duration == null ? (long) defaultTries * scale() : Long.MAX_VALUE;
    long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
    long start = System.nanoTime();
    SplittableRandom seeds = new SplittableRandom(seed);
    long done = 0;
    for (; done < tries && System.nanoTime() < deadline; done++) {
      long caseSeed = seeds.nextLong();
      T value = domain.draw(new SplittableRandom(caseSeed));
      Throwable failure = failureOf(property, value);
      if (failure != null) {
        fail(name, domain, property, value, failure, done, shrinkRuns);
      }
    }
    Run run = new Run(name, done, BASE_SEED, Duration.ofNanos(System.nanoTime() - start));
    System.out.printf(
        "fuzz %s: %d tries, -Dfuzz.seed=%d, %.1f s%n",
        name, run.tries(), run.seed(), run.elapsed().toMillis() / 1000.0);
    return run;
  }

  /** Runs a property on one fixed case (a corpus file or a regression example). */
  static <T> void replay(String what, Domain<T> domain, Consumer<T> property, T value) {
    Throwable failure = failureOf(property, value);
    if (failure != null) {
      throw new AssertionError(what + ": " + domain.describe(value) + "\n" + failure, failure);
    }
  }

  private static <T> Throwable failureOf(Consumer<T> property, T value) {
    try {
      property.accept(value);
      return null;
    } catch (Throwable t) { // the decoder must not throw anything: an Error counts as a failure too
      return t;
    }
  }

  private static <T> void fail(
      String name,
      Domain<T> domain,
      Consumer<T> property,
      T original,
      Throwable originalFailure,
      long tryIndex,
      int shrinkRuns) {
    T smallest = original;
    Throwable failure = originalFailure;
    int runs = 0;
    boolean progress = true;
    while (progress && runs < shrinkRuns) {
      progress = false;
      for (Iterator<T> it = domain.shrink(smallest); it.hasNext() && runs < shrinkRuns; ) {
        T candidate = it.next();
        runs++;
        Throwable f = failureOf(property, candidate);
        if (f != null) {
          smallest = candidate;
          failure = f;
          progress = true;
          break;
        }
      }
    }
    String saved = save(name, domain, smallest, failure);
    throw new AssertionError(
        String.format(
            "%s failed on try %d; replay with -Dfuzz.seed=%d%n"
                + "shrunk in %d runs to: %s%nsaved as %s%n%s",
            name, tryIndex, BASE_SEED, runs, domain.describe(smallest), saved, failure),
        failure);
  }

  private static <T> String save(String name, Domain<T> domain, T value, Throwable failure) {
    try {
      Files.createDirectories(FINDINGS);
      Path file = FINDINGS.resolve(name + "-" + BASE_SEED + ".bin");
      Files.write(file, domain.bytes(value));
      Files.writeString(
          FINDINGS.resolve(name + "-" + BASE_SEED + ".txt"),
          domain.describe(value) + "\n" + failure);
      return file.toString();
    } catch (IOException e) {
      return "(not saved: " + e + ")";
    }
  }

  /** {@code -Dfuzz.duration}: "90s", "10m" or an ISO-8601 duration; null when unset. */
  static Duration duration() {
    String d = System.getProperty("fuzz.duration", "").trim();
    if (d.isEmpty()) return null;
    if (d.startsWith("P") || d.startsWith("p")) return Duration.parse(d);
    long n = Long.parseLong(d.substring(0, d.length() - 1));
    return switch (d.charAt(d.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException("fuzz.duration: say 90s, 10m or 1h, not " + d);
    };
  }

  static int scale() {
    return Integer.getInteger("fuzz.scale", 1);
  }
}
