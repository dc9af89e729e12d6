package mechat.bench;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import mechat.bench.abuse.Soak;
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
 * {@code mechat bench soak}: its options, their checks, and the run of a {@link Soak} with them.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    versionProvider = mechat.Main.Version.class,
    sortOptions = false,
    description = {
      "Honest pairs chat at a steady rate from start to end while abusive clients churn beside"
          + " them: --warmup seconds of honest traffic, --duration seconds of abuse (see 'bench"
          + " abuse --help'), --cooldown seconds of honest traffic again. The honest pairs are"
          + " all matched with each other before any abuser registers. Every honest line is"
          + " checked (loss, duplication, order, corruption) and every answer to an abuser.",
      "The phases are announced on stderr ('"
          + Soak.ABUSE_STARTS
          + "', '"
          + Soak.ABUSE_STOPPED
          + "'), so a script can sample the server in each;"
          + " scripts/soak.sh does, and checks the server's resources."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no honest line lost, duplicated, reordered or corrupted, and the abuse found nothing",
      "1:anything else",
      "2:bad option"
    })
final class SoakCli implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--pairs", paramLabel = "N", description = "honest pairs [20]")
  int pairs = 20;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description =
          "honest messages per second over all honest clients; keep R / (2 N) under"
              + " the server's rate limit [200]")
  double rate = 200;

  @Option(
      names = "--size",
      paramLabel = "S",
      description = "bytes of text per honest message, at least " + Payload.MIN_SIZE + " [64]")
  int size = 64;

  @Option(names = "--warmup", paramLabel = "SECONDS", description = "honest only, before [10]")
  double warmup = 10;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "of abuse [60]")
  double duration = 60;

  @Option(names = "--cooldown", paramLabel = "SECONDS", description = "honest only, after [20]")
  double cooldown = 20;

  @Mixin BenchCli.AbuseOptions abuse;
  @Mixin BenchCli.Setup setup;
  @Mixin BenchCli.Common common;

  @Override
  public Integer call() throws Exception {
    CommandLine cl = spec.commandLine();
    common.check(cl);
    setup.check(cl);
    abuse.check(cl);
    if (pairs < 1) throw new ParameterException(cl, "--pairs must be >= 1");
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new ParameterException(cl, "--rate must be > 0");
    }
    if (size < Payload.MIN_SIZE || size > Payload.MAX_SIZE) {
      throw new ParameterException(
          cl, "--size must be " + Payload.MIN_SIZE + ".." + Payload.MAX_SIZE);
    }
    BenchCli.checkSeconds(cl, "--warmup", warmup, 0);
    BenchCli.checkSeconds(cl, "--duration", duration, 1);
    BenchCli.checkSeconds(cl, "--cooldown", cooldown, 0);
    PrintWriter err = cl.getErr();
    InetSocketAddress address = common.address(err, "soak");
    if (address == null) return 1;
    double total = warmup + duration + cooldown;
    ChatLoad.Options honest =
        new ChatLoad.Options(
            address,
            pairs,
            Soak.Options.messagesPerClient(pairs, rate, total),
            size,
            16,
            rate,
            setup.timeout,
            setup.concurrency,
            total + setup.timeout);
    Soak.Options o = new Soak.Options(honest, warmup, abuse.options(address, duration), cooldown);
    return new Soak(o, new Soak.Listener() {}).run(cl.getOut(), err, common.json);
  }
}
