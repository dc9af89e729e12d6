package mechat.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What this JVM holds: threads, open file descriptors, heap after a full GC. */
public record Resources(int threads, long openFiles, long heapAfterGcBytes) {

  public static Resources sample() throws IOException {
    // Two collections: the first may only queue finalizable or weakly reachable objects.
    System.gc();
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    long files;
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      files = fds.count();
    }
    return new Resources(threads, files, heap);
  }

  @Override
  public String toString() {
    return String.format(
        "threads %d, open files %d, heap after GC %.1f MiB",
        threads, openFiles, heapAfterGcBytes / 1048576.0);
  }
}
