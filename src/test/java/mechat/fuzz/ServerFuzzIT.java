package mechat.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mechat.chat.MatchmakerActor;
import mechat.server.ChatServer;
import mechat.testing.Stats;
import mechat.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scene of {@link Scene} against a real server over loopback TCP, one server for all tries
 * (each try starts once the previous one has left no trace in the matchmaker). Each read of F is
 * one write with TCP_NODELAY; the kernel may still join writes, so the in-memory {@link
 * ConnectionFuzzIT} is the one that controls the reads exactly. F's bytes after its {@code /quit}
 * are not sent: the server closes at once, and unread bytes would make the close a reset that may
 * discard the {@code bye} before the client reads it.
 */
class ServerFuzzIT {
  private static final int MAX_LINE_BYTES = 16;
  private static ChatServer server;
  private static LogWatch logs;

  @BeforeAll
  static void start() {
    logs = LogWatch.install();
    server = TestServers.start(TestServers.settings("max-line-bytes = " + MAX_LINE_BYTES));
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop(Duration.ofSeconds(20));
    logs.uninstall();
  }

  private static final class TcpWorld implements Scene.World {
    final List<TcpPeer> peers = new ArrayList<>();

    @Override
    public Scene.Peer connect(String label, int reads) {
      TcpPeer p = new TcpPeer(server.port(), label);
      peers.add(p);
      return p;
    }

    @Override
    public MatchmakerActor.Stats stats() throws Exception {
      return Stats.of(server);
    }

    @Override
    public boolean sendsPastQuit() {
      return false;
    }

    void close() {
      for (TcpPeer p : peers) p.close();
    }
  }

  /**
   * A socket; a daemon thread reads it into the transcript until EOF, so writes never block on it.
   */
  private static final class TcpPeer implements Scene.Peer {
    private final Socket socket = new Socket();
    private final OutputStream out;
    private final Transcript output = new Transcript();
    private final String label;

    TcpPeer(int port, String label) {
      this.label = label;
      try {
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        Thread reader = new Thread(() -> readAll(in), "fuzz-reader-" + label);
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void readAll(InputStream in) {
      byte[] buffer = new byte[16384];
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) output.add(Arrays.copyOf(buffer, n));
        output.end(null);
      } catch (IOException e) {
        output.end(e);
      }
    }

    @Override
    public void send(byte[] read) {
      if (read.length == 0) return; // an empty read is no segment at all
      try {
        out.write(read);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("the server stopped reading " + label, e);
      }
    }

    @Override
    public void endInput() {
      try {
        socket.shutdownOutput();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public Transcript output() {
      return output;
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing is all that is left to do
      }
    }

    @Override
    public String toString() {
      return label;
    }
  }

  static void behavesPerSpec(Scene.Case c) {
    TcpWorld world = new TcpWorld();
    try {
      Scene.play(world, c, logs);
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      world.close();
    }
  }

  @Test
  void s1_s7_anyBytesFromOneClientOverTcpAreAnsweredPerSpecAndDisturbNobody() {
    Fuzz.Run run =
        Fuzz.check(
            "server",
            30,
            150,
            Scene.domain(new int[] {MAX_LINE_BYTES}),
            ServerFuzzIT::behavesPerSpec);
    assertTrue(run.tries() > 0, "ran no try");
  }
}
