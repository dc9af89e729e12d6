package mechat.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The regression corpus: byte files under {@code src/test/resources/fuzz/<target>/}, replayed by
 * every {@code mvn verify}. A failure the fuzzer finds is saved under {@code
 * target/fuzz-findings/}; copy the {@code .bin} file here (with a name that says what it is) to
 * keep it.
 */
final class Corpus {
  private Corpus() {}

  record Entry(String name, byte[] bytes) {}

  static List<Entry> load(String target) {
    URL dir = Corpus.class.getClassLoader().getResource("fuzz/" + target);
    if (dir == null) return List.of();
    try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
      List<Entry> entries = new ArrayList<>();
      for (Path p : files.filter(p -> p.toString().endsWith(".bin")).sorted().toList()) {
        entries.add(new Entry(target + "/" + p.getFileName(), Files.readAllBytes(p)));
      }
      return entries;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The limit a file is meant for, from a name like {@code name.max16.bin}, else {@code otherwise}.
   */
  static int maxLineBytes(String name, int otherwise) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\.max(\\d+)\\.bin$").matcher(name);
    return m.find() ? Integer.parseInt(m.group(1)) : otherwise;
  }

  /** One read, one byte per read, and (for short inputs) every way of cutting it in two. */
  static List<int[]> splits(byte[] input) {
    List<int[]> splits = new ArrayList<>();
    splits.add(new int[0]);
    int[] every = new int[Math.max(0, input.length - 1)];
    for (int i = 0; i < every.length; i++) every[i] = i + 1;
    splits.add(every);
    if (input.length <= 256) {
      for (int i = 1; i < input.length; i++) splits.add(new int[] {i});
    }
    return splits;
  }
}
