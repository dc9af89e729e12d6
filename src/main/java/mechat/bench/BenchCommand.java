package mechat.bench;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import mechat.bench.abuse.Abuse;
import mechat.bench.abuse.AbuseKind;
import mechat.bench.abuse.AbuseStats;
import mechat.bench.abuse.Soak;
import mechat.bench.load.ChatLoad;
import mechat.bench.load.IdleLoad;
import mechat.bench.load.Payload;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mechat bench}: a load generator for operators who want to load-test their own server.
 * The subcommands only parse and check options; the work is in {@link ChatLoad}, {@link
 * IdleLoad}, {@link Abuse} and {@link Soak}.
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
    subcommands = {
      BenchCommand.Chat.class,
      BenchCommand.Idle.class,
      BenchCommand.AbuseCommand.class,
      BenchCommand.SoakCommand.class
    },
    synopsisSubcommandLabel = "COMMAND")
public final class BenchCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options of every subcommand: where the server is, and the JSON switch. */
  static final class Common {
    @Option(names = "--host", paramLabel = "H", description = "server address [127.0.0.1]")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "P", description = "server port [9000]")
    int port = 9000;

    @Option(names = "--json", description = "also print one JSON object as the last line")
    boolean json;

    void check(CommandLine cl) {
      if (port < 1 || port > 65535) throw new ParameterException(cl, "--port must be 1..65535");
    }

    /** The server's address, or null (after saying why) when the host does not resolve. */
    InetSocketAddress address(PrintWriter err, String mode) {
      InetSocketAddress a = new InetSocketAddress(host, port);
      if (a.isUnresolved()) {
        err.println("bench " + mode + ": cannot resolve host " + host);
        err.flush();
        return null;
      }
      return a;
    }
  }

  /** How the clients of chat, idle and soak's honest pairs are set up. */
  static final class Setup {
    @Option(
        names = "--timeout",
        paramLabel = "SECONDS",
        description = "time limit for connecting, registering (and matching), and for chat"
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
  static final class Chat implements Callable<Integer> {
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
        description = "most messages a client has sent that its partner has not received yet;"
            + " 0 = no cap [16]")
    int window = 16;

    @Option(
        names = "--rate",
        paramLabel = "R",
        description = "open loop: R msgs/s in total over all clients, latency counted from each"
            + " message's scheduled send time; 0 = closed loop, as fast as the window allows [0]")
    double rate = 0;

    @Mixin Setup setup; // after our own options, so --help lists those first
    @Mixin Common common;

    @Override
    public Integer call() throws Exception {
      CommandLine cl = spec.commandLine();
      common.check(cl);
      setup.check(cl);
      if (pairs < 1) throw new ParameterException(cl, "--pairs must be >= 1");
      if (pairs > 1_000_000) throw new ParameterException(cl, "--pairs must be <= 1000000");
      if (messages < 1) throw new ParameterException(cl, "--messages must be >= 1");
      if (size < Payload.MIN_SIZE || size > Payload.MAX_SIZE) {
        throw new ParameterException(cl,
            "--size must be " + Payload.MIN_SIZE + ".." + Payload.MAX_SIZE);
      }
      if (window < 0) throw new ParameterException(cl, "--window must be >= 0");
      if (!(rate >= 0) || Double.isInfinite(rate)) {
        throw new ParameterException(cl, "--rate must be >= 0");
      }
      PrintWriter err = cl.getErr();
      InetSocketAddress address = common.address(err, "chat");
      if (address == null) return 1;
      ChatLoad.Options o = new ChatLoad.Options(address, pairs, messages, size, window, rate,
          setup.timeout, setup.concurrency);
      return new ChatLoad(o).run(cl.getOut(), err, common.json);
    }
  }

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
  static final class Idle implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--conns", paramLabel = "N", description = "connections [1000]")
    int conns = 1000;

    @Option(
        names = "--hold",
        paramLabel = "SECONDS",
        description = "how long to keep them open after setup [0]")
    double hold = 0;

    @Mixin Setup setup; // after our own options, so --help lists those first
    @Mixin Common common;

    @Override
    public Integer call() throws Exception {
      CommandLine cl = spec.commandLine();
      common.check(cl);
      setup.check(cl);
      if (conns < 1) throw new ParameterException(cl, "--conns must be >= 1");
      if (!(hold >= 0) || Double.isInfinite(hold)) {
        throw new ParameterException(cl, "--hold must be >= 0");
      }
      PrintWriter err = cl.getErr();
      InetSocketAddress address = common.address(err, "idle");
      if (address == null) return 1;
      IdleLoad.Options o = new IdleLoad.Options(address, conns, hold, setup.timeout,
          setup.concurrency);
      return new IdleLoad(o).run(cl.getOut(), err, common.json);
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
        description = "abuse episodes started per second at most, over all abusers; 0 = no pause"
            + " [50]")
    double churn = 50;

    @Option(
        names = "--slow-reader-wait",
        paramLabel = "SECONDS",
        description = "longest a reader that reads nothing may stay connected while flooded"
            + " before it counts as a violation: the server's slow-reader timeout plus the time"
            + " to fill its socket buffers (some 4 MiB at its rate limit) [180]")
    double slowReaderWait = 180;

    void check(CommandLine cl) {
      if (clients < AbuseKind.values().length) {
        throw new ParameterException(cl,
            "--clients must be >= " + AbuseKind.values().length + " (one per kind)");
      }
      if (!(churn >= 0) || Double.isInfinite(churn)) {
        throw new ParameterException(cl, "--churn must be >= 0");
      }
      if (!(slowReaderWait > 0) || Double.isInfinite(slowReaderWait)) {
        throw new ParameterException(cl, "--slow-reader-wait must be > 0");
      }
    }

    Abuse.Options options(InetSocketAddress address, double seconds) {
      return new Abuse.Options(address, seconds, clients, churn,
          Duration.ofMillis((long) (slowReaderWait * 1000)));
    }
  }

  private static void checkSeconds(CommandLine cl, String option, double value, double min) {
    if (!(value >= min) || Double.isInfinite(value)) {
      throw new ParameterException(cl, option + " must be >= " + (long) min);
    }
  }

  @Command(
      name = "abuse",
      mixinStandardHelpOptions = true,
      versionProvider = mechat.Main.Version.class,
      sortOptions = false,
      description = {
        "Runs abusive clients against a server for --duration seconds and checks every answer"
            + " against the protocol. The kinds, each on its own abusers (each checked as"
            + " noted):",
        "  garbage     invalid UTF-8, control characters, escape sequences, in random pieces,"
            + " before a name and while chatting ('invalid username'/'invalid message' for"
            + " each line; the partner gets exactly the valid lines)",
        "  long-line   2 MiB without LF, then LF and more ('message too long' once, the"
            + " connection goes on)",
        "  vanish      connect, maybe send half a name, close",
        "  reset       TCP reset in the middle of a line (the partner gets the whole lines in"
            + " order, never the unfinished one, then 'partner left')",
        "  half-close  shutdownOutput (the server closes; the partner gets every line, then"
            + " 'partner left')",
        "  slow-reader a pair: one side floods, the other never reads (the server must drop the"
            + " reader, see --slow-reader-wait)",
        "  flood       a pair: one side writes lines as fast as the socket takes them (each"
            + " arrives intact and in order; the report gives the rate the server let through)",
        "Abusers register names, and the server pairs anyone with anyone: start this only once"
            + " your own clients are matched, or they may meet an abuser ('bench soak' does the"
            + " ordering for you). The flooders assume max-line-bytes >= 4000 (the default is"
            + " 4096).",
        "A status line goes to stderr every 10 s; the report to stdout."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:every answer as the protocol says, and every kind completed at least once",
        "1:a violation, or a kind that never completed (run longer)",
        "2:bad option"
      })
  static final class AbuseCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "how long [60]")
    double duration = 60;

    @Mixin AbuseOptions abuse;
    @Mixin Common common;

    @Override
    public Integer call() throws Exception {
      CommandLine cl = spec.commandLine();
      common.check(cl);
      abuse.check(cl);
      checkSeconds(cl, "--duration", duration, 1);
      PrintWriter err = cl.getErr();
      InetSocketAddress address = common.address(err, "abuse");
      if (address == null) return 1;
      AbuseStats stats = new Abuse(abuse.options(address, duration)).run(err);
      PrintWriter out = cl.getOut();
      stats.print(out);
      out.println("result: " + (stats.ok() ? "OK" : "FAIL"));
      if (common.json) {
        StringBuilder j = new StringBuilder("{\"mode\":\"abuse\",");
        stats.json(j);
        out.println(j.append(",\"ok\":").append(stats.ok()).append('}'));
      }
      out.flush();
      return stats.ok() ? 0 : 1;
    }
  }

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
        "The phases are announced on stderr ('" + Soak.ABUSE_STARTS + "', '"
            + Soak.ABUSE_STOPPED + "'), so a script can sample the server in each;"
            + " scripts/soak.sh does, and checks the server's resources."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:no honest line lost, duplicated, reordered or corrupted, and the abuse found nothing",
        "1:anything else",
        "2:bad option"
      })
  static final class SoakCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--pairs", paramLabel = "N", description = "honest pairs [20]")
    int pairs = 20;

    @Option(
        names = "--rate",
        paramLabel = "R",
        description = "honest messages per second over all honest clients; keep R / (2 N) under"
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

    @Mixin AbuseOptions abuse;
    @Mixin Setup setup;
    @Mixin Common common;

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
        throw new ParameterException(cl,
            "--size must be " + Payload.MIN_SIZE + ".." + Payload.MAX_SIZE);
      }
      checkSeconds(cl, "--warmup", warmup, 0);
      checkSeconds(cl, "--duration", duration, 1);
      checkSeconds(cl, "--cooldown", cooldown, 0);
      PrintWriter err = cl.getErr();
      InetSocketAddress address = common.address(err, "soak");
      if (address == null) return 1;
      double total = warmup + duration + cooldown;
      ChatLoad.Options honest = new ChatLoad.Options(address, pairs,
          Soak.Options.messagesPerClient(pairs, rate, total), size, 16, rate, setup.timeout,
          setup.concurrency, total + setup.timeout);
      Soak.Options o =
          new Soak.Options(honest, warmup, abuse.options(address, duration), cooldown);
      return new Soak(o, new Soak.Listener() {}).run(cl.getOut(), err, common.json);
    }
  }
}
