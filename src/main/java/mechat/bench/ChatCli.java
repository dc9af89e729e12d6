package mechat.bench;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;
import mechat.bench.load.ChatLoad;
import mechat.bench.load.Payload;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mechat bench chat}: its options, their checks, and the run of a {@link ChatLoad} with
 * them.
 */
@Command(
    name = "chat",
    mixinStandardHelpOptions = true,
    versionProvider = mechat.Main.Version.class,
    sortOptions = false,
    description = {
      "Opens 2N connections, lets the server pair them, and has every client send M messages"
          + " of S bytes to its partner. Receivers check sender, length, bytes and order of"
          + " every line; the report gives msgs/s, MB/s and one-way latency percentiles.",
      "Progress goes to stderr about once a second; the report to stdout.",
      "For throughput figures, run for 10 s or more: the JVM's start and JIT warm-up cost"
          + " about 1-2 CPU-seconds, which on a small machine the server also needs (for"
          + " short runs, java -XX:TieredStopAtLevel=1 -jar ... halves that, but runs slower"
          + " after it)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every message arrived intact, once and in order",
      "1:loss, duplication, reordering, corruption, an unexpected line, a failed setup or a"
          + " timeout",
      "2:bad option"
    })
final class ChatCli implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--pairs", paramLabel = "N", description = "pairs of clients [1]")
  int pairs = 1;

  @Option(names = "--messages", paramLabel = "M", description = "messages per client [1000]")
  long messages = 1000;

  @Option(
      names = "--size",
      paramLabel = "S",
      description = "bytes of text per message, at least " + Payload.MIN_SIZE + " [64]")
  int size = 64;

  @Option(
      names = "--window",
      paramLabel = "W",
      description =
          "most messages a client has sent that its partner has not received yet;"
              + " 0 = no cap [16]")
  int window = 16;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description =
          "open loop: R msgs/s in total over all clients, latency counted from each"
              + " message's scheduled send time; 0 = closed loop, as fast as the window allows [0]")
  double rate = 0;

  @Mixin BenchCli.Setup setup; // after our own options, so --help lists those first
  @Mixin BenchCli.Common common;

  @Override
  public Integer call() throws Exception {
    CommandLine cl = spec.commandLine();
    common.check(cl);
    setup.check(cl);
    if (pairs < 1) throw new ParameterException(cl, "--pairs must be >= 1");
    if (pairs > 1_000_000) throw new ParameterException(cl, "--pairs must be <= 1000000");
    if (messages < 1) throw new ParameterException(cl, "--messages must be >= 1");
    if (size < Payload.MIN_SIZE || size > Payload.MAX_SIZE) {
      throw new ParameterException(
          cl, "--size must be " + Payload.MIN_SIZE + ".." + Payload.MAX_SIZE);
    }
    if (window < 0) throw new ParameterException(cl, "--window must be >= 0");
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new ParameterException(cl, "--rate must be >= 0");
    }
    PrintWriter err = cl.getErr();
    List<InetSocketAddress> addresses = common.addresses(err, "chat");
    if (addresses == null) return 1;
    ChatLoad.Options o =
        new ChatLoad.Options(
                addresses.get(0),
                pairs,
                messages,
                size,
                window,
                rate,
                setup.timeout,
                setup.concurrency)
            .spreadOver(addresses);
    return new ChatLoad(o).run(cl.getOut(), err, common.json);
  }
}
