package mechat.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import mechat.cluster.ClusterConfig;
import mechat.cluster.ClusterSettings;
import mechat.transport.TlsContexts.TlsSetupException;
import org.apache.pekko.actor.CoordinatedShutdown;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mechat server}: runs the server until SIGTERM or Ctrl-C (protocol §8). */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    versionProvider = mechat.Main.Version.class,
    sortOptions = false,
    description = {
      "Runs the MEchat server. Prints 'listening on HOST:PORT' on standard output once it"
          + " accepts connections, then 'listening on HOST:PORT (tls)' for the TLS listener if"
          + " --tls-port is given, '... (http)' for --http-port and '... (https)' for"
          + " --https-port; logs go to standard error.",
      "Defaults come from application.conf (mechat.server.*); --config FILE overrides them,"
          + " and each option overrides both. SIGTERM or Ctrl-C closes every connection with"
          + " 'server shutting down' and exits 0.",
      "With --cluster-port it is one node of a cluster (protocol §11): it prints 'cluster member"
          + " HOST:PORT up' once it is an Up member, and only then binds its listeners."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:clean shutdown",
      "1:could not start (address in use, bad configuration, unusable TLS keystore, --https-port"
          + " without --tls-keystore)",
      "2:bad option"
    })
public final class ServerCli implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--host", paramLabel = "H", description = "address to bind [127.0.0.1]")
  String host;

  @Option(names = "--port", paramLabel = "P", description = "port; 0 picks a free one [9000]")
  Integer port;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      description = "connection limit; over it a client gets 'server full' [10000]")
  Integer maxConnections;

  @Option(
      names = "--max-connections-per-ip",
      paramLabel = "N",
      description =
          "connections one IP address may hold, 0 for no limit; over it a client gets 'too many"
              + " connections' [0; 20-100 advised for a server open to the internet]")
  Integer maxConnectionsPerIp;

  @Option(
      names = "--handshake-timeout",
      paramLabel = "SECONDS",
      description = "time to send a valid, free username [60]")
  Double handshakeTimeout;

  @Option(
      names = "--rate",
      paramLabel = "N",
      description = "messages per second per client, 0 for no limit [20]")
  Integer rate;

  @Option(names = "--burst", paramLabel = "N", description = "burst size of the rate limit [40]")
  Integer burst;

  @Option(
      names = "--max-line-bytes",
      paramLabel = "N",
      description = "longest input line in bytes, terminator excluded [4096]")
  Integer maxLineBytes;

  @Option(
      names = "--slow-reader-timeout",
      paramLabel = "SECONDS",
      description = "how long a partner that reads nothing may block a sender [60]")
  Double slowReaderTimeout;

  @Option(
      names = "--stats-interval",
      paramLabel = "SECONDS",
      description =
          "how often to log a stats line (connections, conversations, lines/s), 0 for"
              + " never [60]")
  Double statsInterval;

  @Option(
      names = "--tls-port",
      paramLabel = "P",
      description =
          "also listen for TLS 1.3/1.2 on this port (same protocol, same matchmaking);"
              + " 0 picks a free one [off]")
  Integer tlsPort;

  @Option(
      names = "--tls-keystore",
      paramLabel = "FILE",
      description = "PKCS12 keystore with the TLS listener's key and certificate")
  String tlsKeystore;

  @Option(
      names = "--tls-keystore-password-env",
      paramLabel = "VAR",
      description =
          "name of the environment variable holding the keystore's password, so that it stays"
              + " out of ps [MECHAT_TLS_PASSWORD]")
  String tlsKeystorePasswordEnv;

  @Option(
      names = "--http-port",
      paramLabel = "P",
      description =
          "also serve the web page, its WebSocket at /chat, /health and /metrics over HTTP on"
              + " this port; 0 picks a free one [off]")
  Integer httpPort;

  @Option(
      names = "--https-port",
      paramLabel = "P",
      description =
          "the same over HTTPS (TLS 1.3/1.2), with --tls-keystore; 0 picks a free one [off]")
  Integer httpsPort;

  @Option(
      names = "--http-allowed-origins",
      paramLabel = "ORIGIN[,ORIGIN...]",
      description =
          "origins (scheme://host[:port]) whose pages may open /chat besides the page's own;"
              + " any other gets 403 [none]")
  String httpAllowedOrigins;

  @Option(
      names = "--websocket-ping-interval",
      paramLabel = "SECONDS",
      description = "ping a WebSocket that has sent nothing for this long [30]")
  Double websocketPingInterval;

  @Option(
      names = "--cluster-port",
      paramLabel = "P",
      description =
          "cluster mode (one service on several nodes): this node's cluster port; 0 picks a free"
              + " one [off]")
  Integer clusterPort;

  @Option(
      names = "--cluster-host",
      paramLabel = "H",
      description = "address the cluster port binds, and that other nodes reach [the --host value]")
  String clusterHost;

  @Option(
      names = "--seed-nodes",
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      description =
          "cluster nodes to join through (their cluster ports) [none: this node forms a new"
              + " cluster]")
  String seedNodes;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "HOCON file with mechat.server.* settings (and any pekko.* ones)")
  File configFile;

  @Override
  public Integer call() throws Exception {
    java.io.PrintWriter out = spec.commandLine().getOut();
    java.io.PrintWriter err = spec.commandLine().getErr();
    Config config;
    ServerSettings settings;
    try {
      config = loadConfig();
      settings = ServerSettings.fromConfig(config);
      ClusterSettings.fromConfig(config);
    } catch (RuntimeException e) {
      err.println("mechat server: bad configuration: " + e.getMessage());
      err.flush();
      return 1;
    }
    if ((clusterHost != null || seedNodes != null)
        && clusterPort == null
        && ClusterSettings.fromConfig(config).isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "--cluster-host and --seed-nodes need --cluster-port");
    }
    if ((tlsKeystore != null || tlsKeystorePasswordEnv != null) && !settings.needsKeystore()) {
      throw new ParameterException(
          spec.commandLine(),
          "--tls-keystore and --tls-keystore-password-env need --tls-port or --https-port");
    }
    Optional<SSLContext> tls;
    try {
      tls = ChatServer.loadTls(settings, System::getenv);
    } catch (TlsSetupException e) {
      err.println("mechat server: cannot use TLS: " + e.getMessage());
      err.flush();
      return 1;
    }
    ChatServer server;
    try {
      server = ChatServer.start(settings, config, tls);
    } catch (ChatServer.ListenFailedException | ChatServer.JoinFailedException e) {
      err.println("mechat server: " + e.getMessage());
      err.flush();
      return 1;
    }
    handleSignals(server);
    server.clusterMember().ifPresent(m -> out.println("cluster member " + m + " up"));
    out.println("listening on " + settings.host() + ":" + server.port());
    server
        .tlsPort()
        .ifPresent(p -> out.println("listening on " + settings.host() + ":" + p + " (tls)"));
    server
        .httpPort()
        .ifPresent(p -> out.println("listening on " + settings.host() + ":" + p + " (http)"));
    server
        .httpsPort()
        .ifPresent(p -> out.println("listening on " + settings.host() + ":" + p + " (https)"));
    out.flush();
    server.awaitTermination(Duration.ofDays(36500));
    return 0;
  }

  private Config loadConfig() {
    Map<String, Object> overrides = new HashMap<>();
    put(overrides, "host", host);
    put(overrides, "port", port);
    put(overrides, "max-connections", maxConnections);
    put(overrides, "max-connections-per-ip", maxConnectionsPerIp);
    put(overrides, "handshake-timeout", seconds(handshakeTimeout));
    put(overrides, "rate", rate);
    put(overrides, "burst", burst);
    put(overrides, "max-line-bytes", maxLineBytes);
    put(overrides, "slow-reader-timeout", seconds(slowReaderTimeout));
    put(overrides, "stats-interval", seconds(statsInterval));
    put(overrides, "tls-port", tlsPort);
    put(overrides, "tls-keystore", tlsKeystore);
    put(overrides, "tls-keystore-password-env", tlsKeystorePasswordEnv);
    put(overrides, "http-port", httpPort);
    put(overrides, "https-port", httpsPort);
    put(overrides, "http-allowed-origins", httpAllowedOrigins);
    put(overrides, "websocket-ping-interval", seconds(websocketPingInterval));
    put(overrides, "cluster-port", clusterPort);
    put(overrides, "cluster-host", clusterHost);
    put(overrides, "seed-nodes", seedNodes);
    Config top = ConfigFactory.parseMap(overrides);
    if (configFile != null) {
      if (!configFile.isFile()) {
        throw new IllegalArgumentException("no such file: " + configFile);
      }
      top = top.withFallback(ConfigFactory.parseFile(configFile));
    }
    // cluster mode layers cluster.conf's pekko settings in, under the options and the file
    return ClusterConfig.layered(top, ConfigFactory.load());
  }

  private static void put(Map<String, Object> map, String key, Object value) {
    if (value != null) map.put("mechat.server." + key, value);
  }

  private static String seconds(Double s) {
    return s == null ? null : Math.round(s * 1000) + "ms";
  }

  /** SIGTERM and SIGINT run the graceful shutdown; a second signal exits at once. */
  private static void handleSignals(ChatServer server) {
    AtomicBoolean stopping = new AtomicBoolean();
    sun.misc.SignalHandler handler =
        sig -> {
          if (stopping.getAndSet(true)) {
            Runtime.getRuntime().halt(130);
          }
          CoordinatedShutdown.get(server.system()).runAll(CoordinatedShutdown.jvmExitReason());
        };
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), handler);
      } catch (IllegalArgumentException e) {
        // signal not available on this platform: the JVM's shutdown hook still runs the shutdown
      }
    }
  }
}
