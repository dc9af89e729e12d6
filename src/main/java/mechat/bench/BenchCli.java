package mechat.bench;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mechat.bench.abuse.Abuse;
import mechat.bench.abuse.AbuseKind;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code mechat bench} command and the options its subcommands share. Bench is a load generator
 * for operators who want to load-test their own server; its subcommands ({@link ChatCli}, {@link
 * IdleCli}, {@link AbuseCli}, {@link SoakCli}) only parse and check options, the work is in {@link
 * mechat.bench.load} and {@link mechat.bench.abuse}.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    versionProvider = mechat.Main.Version.class,
    description = {
      "Load-tests a MEchat server (any server that speaks protocol v1).",
      "Every connection is a file descriptor: the open-file limit (ulimit -n) must allow all of"
          + " them (2 per pair for 'chat'); bench does not raise it."
    },
    subcommands = {ChatCli.class, IdleCli.class, AbuseCli.class, SoakCli.class},
    synopsisSubcommandLabel = "COMMAND")
public final class BenchCli implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options of every subcommand: where the server is, and the JSON switch. */
  static final class Common {
    @Option(names = "--host", paramLabel = "H", description = "server address [127.0.0.1]")
    String host = "127.0.0.1";

    @Option(
        names = "--port",
        paramLabel = "P[,P...]",
        description =
            "server port [9000]; chat also takes several (the nodes of a cluster): client i uses"
                + " the i-th mod n, so that pairs span nodes")
    String port = "9000";

    @Option(names = "--json", description = "also print one JSON object as the last line")
    boolean json;

    void check(CommandLine cl) {
      try {
        for (int p : ports()) {
          if (p < 1 || p > 65535) throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new ParameterException(cl, "--port must be 1..65535 (or several, comma-separated)");
      }
    }

    List<Integer> ports() {
      return Arrays.stream(port.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    /** The server's address, or null (after saying why) when the host does not resolve. */
    InetSocketAddress address(PrintWriter err, String mode) {
      List<InetSocketAddress> all = addresses(err, mode);
      if (all != null && all.size() > 1) {
        err.println("bench " + mode + ": one --port only (several are for chat)");
        err.flush();
        return null;
      }
      return all == null ? null : all.get(0);
    }

    /** One address per --port, or null (after saying why) when the host does not resolve. */
    List<InetSocketAddress> addresses(PrintWriter err, String mode) {
      List<InetSocketAddress> all = new ArrayList<>();
      for (int p : ports()) {
        InetSocketAddress a = new InetSocketAddress(host, p);
        if (a.isUnresolved()) {
          err.println("bench " + mode + ": cannot resolve host " + host);
          err.flush();
          return null;
        }
        all.add(a);
      }
      return all;
    }
  }

  /** How the clients of chat, idle and soak's honest pairs are set up. */
  static final class Setup {
    @Option(
        names = "--timeout",
        paramLabel = "SECONDS",
        description =
            "time limit for connecting, registering (and matching), and for chat"
                + " again for sending and receiving [60]")
    double timeout = 60;

    @Option(
        names = "--concurrency",
        paramLabel = "C",
        description = "connections connecting or registering at a time [256]")
    int concurrency = 256;

    void check(CommandLine cl) {
      if (!(timeout > 0)) throw new ParameterException(cl, "--timeout must be > 0");
      if (concurrency < 1) throw new ParameterException(cl, "--concurrency must be >= 1");
    }
  }

  /** Options of abuse and soak: how the abusers run. */
  static final class AbuseOptions {
    @Option(
        names = "--clients",
        paramLabel = "N",
        description = "abusers at a time, split evenly over the 7 kinds; at least 7 [14]")
    int clients = 14;

    @Option(
        names = "--churn",
        paramLabel = "N",
        description =
            "abuse episodes started per second at most, over all abusers; 0 = no pause" + " [50]")
    double churn = 50;

    @Option(
        names = "--slow-reader-wait",
        paramLabel = "SECONDS",
        description =
            "longest a reader that reads nothing may stay connected while flooded"
                + " before it counts as a violation: the server's slow-reader timeout plus the time"
                + " to fill its socket buffers (some 4 MiB at its rate limit) [180]")
    double slowReaderWait = 180;

    void check(CommandLine cl) {
      if (clients < AbuseKind.values().length) {
        throw new ParameterException(
            cl, "--clients must be >= " + AbuseKind.values().length + " (one per kind)");
      }
      if (!(churn >= 0) || Double.isInfinite(churn)) {
        throw new ParameterException(cl, "--churn must be >= 0");
      }
      if (!(slowReaderWait > 0) || Double.isInfinite(slowReaderWait)) {
        throw new ParameterException(cl, "--slow-reader-wait must be > 0");
      }
    }

    Abuse.Options options(InetSocketAddress address, double seconds) {
      return new Abuse.Options(
          address, seconds, clients, churn, Duration.ofMillis((long) (slowReaderWait * 1000)));
    }
  }

  static void checkSeconds(CommandLine cl, String option, double value, double min) {
    if (!(value >= min) || Double.isInfinite(value)) {
      throw new ParameterException(cl, option + " must be >= " + (long) min);
    }
  }
}
