package mechat.bench;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mechat bench}: a load generator for operators who want to load-test their own server.
 * The subcommands only parse and check options; the work is in {@link ChatLoad} and {@link
 * IdleLoad}.
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
    subcommands = {BenchCommand.Chat.class, BenchCommand.Idle.class},
    synopsisSubcommandLabel = "COMMAND")
public final class BenchCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options of both subcommands: where the server is, and how to run. */
  static final class Common {
    @Option(names = "--host", paramLabel = "H", description = "server address [127.0.0.1]")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "P", description = "server port [9000]")
    int port = 9000;

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

    @Option(names = "--json", description = "also print one JSON object as the last line")
    boolean json;

    void check(CommandLine cl) {
      if (port < 1 || port > 65535) throw new ParameterException(cl, "--port must be 1..65535");
      if (!(timeout > 0)) throw new ParameterException(cl, "--timeout must be > 0");
      if (concurrency < 1) throw new ParameterException(cl, "--concurrency must be >= 1");
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

    @Mixin Common common; // after our own options, so --help lists those first

    @Override
    public Integer call() throws Exception {
      CommandLine cl = spec.commandLine();
      common.check(cl);
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
          common.timeout, common.concurrency);
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

    @Mixin Common common; // after our own options, so --help lists those first

    @Override
    public Integer call() throws Exception {
      CommandLine cl = spec.commandLine();
      common.check(cl);
      if (conns < 1) throw new ParameterException(cl, "--conns must be >= 1");
      if (!(hold >= 0) || Double.isInfinite(hold)) {
        throw new ParameterException(cl, "--hold must be >= 0");
      }
      PrintWriter err = cl.getErr();
      InetSocketAddress address = common.address(err, "idle");
      if (address == null) return 1;
      IdleLoad.Options o = new IdleLoad.Options(address, conns, hold, common.timeout,
          common.concurrency);
      return new IdleLoad(o).run(cl.getOut(), err, common.json);
    }
  }
}
