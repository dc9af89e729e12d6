package mechat;

import mechat.bench.BenchCli;
import mechat.client.ClientCli;
import mechat.server.ServerCli;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mechat} command line: {@code server}, {@code client} and {@code bench}. */
@Command(
    name = "mechat",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "MEchat: a chat server that pairs two random people and relays their lines.",
    subcommands = {ServerCli.class, ClientCli.class, BenchCli.class},
    synopsisSubcommandLabel = "COMMAND")
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // Initialise logging before any thread logs: otherwise SLF4J warns about replayed calls.
    org.slf4j.LoggerFactory.getILoggerFactory();
    int code = commandLine().execute(args);
    stopLogging(); // flush the asynchronous appender before the JVM goes
    System.exit(code);
  }

  private static void stopLogging() {
    if (org.slf4j.LoggerFactory.getILoggerFactory()
        instanceof ch.qos.logback.classic.LoggerContext ctx) {
      ctx.stop();
    }
  }

  /** The parser with our error handling: a bad option is one line on stderr and exit code 2. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
          c.getErr()
              .println(
                  "Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
          return c.getCommandSpec().exitCodeOnInvalidInput();
        });
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version from the jar's manifest (set by the build), or "dev" when run from classes. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"mechat " + (v == null ? "dev" : v) + " (protocol v1, Apache Pekko)"};
    }
  }
}
