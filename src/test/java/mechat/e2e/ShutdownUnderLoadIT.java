package mechat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mechat.Main;
import org.junit.jupiter.api.Test;

/**
 * Protocol §7 at scale: SIGTERM with thousands of clients connected, waiting and chatting, tells
 * every one of them {@code server shutting down} and closes, and the server exits without giving up
 * on any of them. The clients are plain non-blocking sockets on one selector, so the test itself
 * stays light.
 */
class ShutdownUnderLoadIT {
  private static final int CLIENTS = 2000;
  private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");
  private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** One client: its socket and what it has read so far. */
  private static final class Client {
    final SocketChannel channel;
    final StringBuilder read = new StringBuilder();
    boolean closed;

    Client(SocketChannel channel) {
      this.channel = channel;
    }

    boolean saw(String line) {
      return read.indexOf(line + "\n") >= 0;
    }
  }

  @Test
  void s7_sigtermWithThousandsOfClientsTellsEachAndExitsWithinTheDrainBudget() throws Exception {
    Path err = Files.createTempFile("mechat-shutdown", ".log");
    Process server = start(err, "--port", "0", "--rate", "0", "--max-connections", "5000");
    List<Client> clients = new ArrayList<>();
    try (Selector selector = Selector.open()) {
      int port = awaitListening(server);
      for (int i = 0; i < CLIENTS; i++) {
        SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        c.configureBlocking(false);
        Client client = new Client(c);
        c.register(selector, SelectionKey.OP_READ, client);
        clients.add(client);
        c.write(StandardCharsets.UTF_8.encode("load" + i + "\n"));
      }
      readUntil(selector, () -> clients.stream().allMatch(ShutdownUnderLoadIT::named));

      long sigterm = System.nanoTime();
      server.destroy(); // SIGTERM
      readUntil(selector, () -> clients.stream().allMatch(c -> c.closed));
      assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server did not exit");
      double seconds = (System.nanoTime() - sigterm) / 1e9;

      long told = clients.stream().filter(c -> c.saw("server shutting down")).count();
      assertEquals(CLIENTS, told, "clients told 'server shutting down'");
      assertEquals(0, server.exitValue());
      String log = Files.readString(err);
      assertFalse(log.contains("gave up waiting"), "the drain gave up:\n" + tail(log));
      assertTrue(log.contains("all connections closed in"), tail(log));
      System.out.printf("%d clients: SIGTERM to exit in %.2f s%n", CLIENTS, seconds);
    } finally {
      server.destroyForcibly();
      for (Client c : clients) c.channel.close();
      Files.deleteIfExists(err);
    }
  }

  private static boolean named(Client c) {
    return c.saw("wait") || c.read.indexOf("matched to ") >= 0;
  }

  /** Reads every client until the condition holds; fails at the deadline. */
  private static void readUntil(Selector selector, java.util.function.BooleanSupplier done)
      throws Exception {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    long deadline = System.nanoTime() + DEADLINE_NANOS;
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for the clients");
      selector.select(200);
      for (SelectionKey key : selector.selectedKeys()) {
        Client client = (Client) key.attachment();
        buffer.clear();
        int n;
        try {
          n = client.channel.read(buffer);
        } catch (java.io.IOException reset) {
          n = -1;
        }
        if (n < 0) {
          client.closed = true;
          key.cancel();
        } else {
          buffer.flip();
          client.read.append(StandardCharsets.UTF_8.decode(buffer));
        }
      }
      selector.selectedKeys().clear();
    }
  }

  private static Process start(Path err, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dlogback.configurationFile=logback.xml"); // the product's logging, not the tests'
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.add("server");
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(err.toFile()).start();
  }

  private static int awaitListening(Process p) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    Matcher m = line == null ? null : LISTENING.matcher(line);
    assertTrue(m != null && m.find(), "no 'listening on' line: " + line);
    return Integer.parseInt(m.group(2));
  }

  private static String tail(String log) {
    return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
  }
}
