package mechat.client;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import mechat.transport.TlsContexts;
import mechat.transport.TlsContexts.TlsSetupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mechat client}: chat from a terminal, or from a script in batch mode (protocol v1). */
@Command(
    name = "client",
    mixinStandardHelpOptions = true,
    versionProvider = mechat.Main.Version.class,
    sortOptions = false,
    description = {
      "Connects to a MEchat server, which pairs you with a random person; type a line and press"
          + " Enter to send it.",
      "",
      "Interactive (standard input and output are a terminal): asks for a username unless"
          + " --name is given, and asks again if the server refuses it. Lines from your partner"
          + " appear above the line you are typing without disturbing it. Each line shows the"
          + " time; server notices start with '--', your own lines with 'you>', your partner's"
          + " with their name. Received text is shown with every control or escape character"
          + " replaced. Colours are off when NO_COLOR is set or the terminal has none.",
      "Commands: /next leaves your partner for someone new, /help lists the commands, /quit"
          + " leaves; Ctrl-D and Ctrl-C leave too.",
      "",
      "Batch (standard input is not a terminal, or --batch): needs --name. Sends each line of"
          + " standard input as a message and prints every line from the server on standard"
          + " output exactly as received; at the end of input sends /quit, waits for 'bye' and"
          + " exits."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:left with /quit (or end of input) and the server said bye",
      "1:could not connect, or the TLS handshake failed (certificate not trusted or not for"
          + " this host, not a TLS port)",
      "2:bad option (an unreadable --tls-ca file too)",
      "3:the server closed the connection or is shutting down",
      "4:batch mode: the server refused the name"
    })
public final class ClientCli implements Callable<Integer> {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration INTERACTIVE_BYE_WAIT = Duration.ofSeconds(2);
  static final Duration BATCH_BYE_WAIT = Duration.ofSeconds(10);

  @Spec CommandSpec spec;

  @Option(names = "--host", paramLabel = "H", description = "server address [127.0.0.1]")
  String host = "127.0.0.1";

  @Option(names = "--port", paramLabel = "P", description = "server port [9000]")
  int port = 9000;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description =
          "your username: 1-30 ASCII letters, digits or punctuation, not starting with /"
              + " (asked for when missing, interactively)")
  String name;

  @Option(
      names = "--tls",
      description =
          "connect with TLS 1.3/1.2 (to the server's --tls-port), trusting the JVM's default"
              + " certificate authorities; the certificate must name the --host")
  boolean tls;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description =
          "trust only the PEM certificate(s) in FILE instead, e.g. a self-signed server's own"
              + " certificate (implies --tls)")
  Path tlsCa;

  @Option(
      names = "--batch",
      description = "batch mode even when standard input is a terminal (needs --name)")
  boolean batch;

  @Override
  public Integer call() {
    boolean interactive = !batch && System.console() != null;
    if (!interactive && name == null) {
      throw new ParameterException(
          spec.commandLine(),
          (batch ? "--batch" : "standard input is not a terminal, so batch mode")
              + " needs --name");
    }
    Optional<SSLContext> tlsContext = Optional.empty();
    if (tls || tlsCa != null) {
      try {
        tlsContext = Optional.of(TlsContexts.client(Optional.ofNullable(tlsCa)));
      } catch (TlsSetupException e) {
        if (tlsCa != null) {
          throw new ParameterException(spec.commandLine(), "--tls-ca " + e.getMessage());
        }
        err().println("mechat client: " + e.getMessage());
        return 1;
      }
    }
    ServerConnection connection;
    try {
      connection = ServerConnection.connect(host, port, CONNECT_TIMEOUT, tlsContext);
    } catch (IOException e) {
      err().printf("mechat client: cannot connect to %s:%d: %s%n", host, port, e.getMessage());
      return 1;
    }
    return interactive ? runInteractive(connection) : runBatch(connection);
  }

  private PrintWriter err() {
    return spec.commandLine().getErr();
  }

  private int runBatch(ServerConnection connection) {
    PrintStream out =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    return new BatchMode(
            connection, name, new FileInputStream(FileDescriptor.in), out, BATCH_BYE_WAIT)
        .run();
  }

  private int runInteractive(ServerConnection connection) {
    try (TerminalView view = TerminalView.onSystemTerminal()) {
      view.status(
          "connected to "
              + host
              + ":"
              + port
              + connection.tlsProtocol().map(p -> " with " + p).orElse(""));
      return new InteractiveMode(connection, view, name, INTERACTIVE_BYE_WAIT).run();
    } catch (IOException e) {
      connection.close();
      err().println("mechat client: cannot use the terminal: " + e.getMessage());
      return 1;
    }
  }
}
