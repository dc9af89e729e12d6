package mechat.bench;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import mechat.bench.load.IdleLoad;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mechat bench idle}: its options, their checks, and the run of an {@link IdleLoad} with
 * them.
 */
@Command(
    name = "idle",
    mixinStandardHelpOptions = true,
    versionProvider = mechat.Main.Version.class,
    sortOptions = false,
    description = {
      "Opens N connections, registers each, and reports how long it took until all of them"
          + " got 'wait' or 'matched to'; then holds them open --hold seconds and closes them."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:all registered, nothing unexpected while held",
      "1:a failed setup, a timeout, an unexpected line or a closed connection",
      "2:bad option"
    })
final class IdleCli implements Callable<Integer> {
  /** Between rounds: time for the server to take in the close of every client of the last one. */
  static final java.time.Duration PAUSE = java.time.Duration.ofSeconds(3);

  @Spec CommandSpec spec;

  @Option(names = "--conns", paramLabel = "N", description = "connections [1000]")
  int conns = 1000;

  @Option(
      names = "--hold",
      paramLabel = "SECONDS",
      description = "how long to keep them open after setup [0]")
  double hold = 0;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      description =
          "do it N times, each with new clients, 3 s apart: the first round meets a fresh server,"
              + " the next ones a warm one [1]")
  int rounds = 1;

  @Mixin BenchCli.Setup setup; // after our own options, so --help lists those first
  @Mixin BenchCli.Common common;

  @Override
  public Integer call() throws Exception {
    CommandLine cl = spec.commandLine();
    common.check(cl);
    setup.check(cl);
    if (conns < 1) throw new ParameterException(cl, "--conns must be >= 1");
    if (rounds < 1) throw new ParameterException(cl, "--rounds must be >= 1");
    if (!(hold >= 0) || Double.isInfinite(hold)) {
      throw new ParameterException(cl, "--hold must be >= 0");
    }
    PrintWriter err = cl.getErr();
    InetSocketAddress address = common.address(err, "idle");
    if (address == null) return 1;
    IdleLoad.Options o =
        new IdleLoad.Options(address, conns, hold, setup.timeout, setup.concurrency);
    int worst = 0;
    for (int round = 1; round <= rounds; round++) {
      if (round > 1) Thread.sleep(PAUSE.toMillis()); // the server closes the last round's clients
      if (rounds > 1 && !common.json) cl.getOut().printf("round %d of %d%n", round, rounds);
      worst = Math.max(worst, new IdleLoad(o).run(cl.getOut(), err, common.json));
    }
    return worst;
  }
}
