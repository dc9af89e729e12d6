package mechat.bench;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import mechat.bench.abuse.Abuse;
import mechat.bench.abuse.AbuseStats;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mechat bench abuse}: its options, their checks, the run of an {@link Abuse} with them, and
 * its report.
 */
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
final class AbuseCli implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "how long [60]")
  double duration = 60;

  @Mixin BenchCli.AbuseOptions abuse;
  @Mixin BenchCli.Common common;

  @Override
  public Integer call() throws Exception {
    CommandLine cl = spec.commandLine();
    common.check(cl);
    abuse.check(cl);
    BenchCli.checkSeconds(cl, "--duration", duration, 1);
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
