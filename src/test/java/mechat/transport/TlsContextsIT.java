package mechat.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import mechat.server.ChatServer;
import mechat.testing.TestTls;
import mechat.transport.TlsContexts.TlsSetupException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS setup: keystore and certificate errors in one line, versions, endpoint identification.
 */
class TlsContextsIT {
  private static ChatServer server;

  @TempDir Path dir;

  @BeforeAll
  static void startServer() {
    server = TestTls.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.stop(Duration.ofSeconds(20));
  }

  @Test
  void theServerEngineEnablesOnlyTls13And12() {
    assertArrayEquals(
        new String[] {"TLSv1.3", "TLSv1.2"},
        TlsContexts.serverEngine(TestTls.serverContext()).getEnabledProtocols());
  }

  @Test
  void keystoreProblemsAreOneLineEach() throws Exception {
    Path keystore = TestTls.keystore();
    assertEquals(
        "keystore " + keystore + ": wrong password",
        assertThrows(
                TlsSetupException.class, () -> TlsContexts.server(keystore, "nope".toCharArray()))
            .getMessage());
    Path missing = dir.resolve("missing.p12");
    assertEquals(
        "keystore " + missing + ": no such file",
        assertThrows(TlsSetupException.class, () -> TlsContexts.server(missing, new char[0]))
            .getMessage());
    Path pem = TestTls.certificate();
    assertTrue(
        assertThrows(TlsSetupException.class, () -> TlsContexts.server(pem, new char[0]))
            .getMessage()
            .startsWith("keystore " + pem + ": not a PKCS12 keystore"));
  }

  @Test
  void certificateFileProblemsAreOneLineEach() throws Exception {
    Path missing = dir.resolve("missing.pem");
    assertEquals(
        missing + ": no such file",
        assertThrows(TlsSetupException.class, () -> TlsContexts.client(Optional.of(missing)))
            .getMessage());
    Path keystore = TestTls.keystore();
    assertEquals(
        keystore + ": not a PEM certificate file",
        assertThrows(TlsSetupException.class, () -> TlsContexts.client(Optional.of(keystore)))
            .getMessage());
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    assertTrue(
        assertThrows(TlsSetupException.class, () -> TlsContexts.client(Optional.of(empty)))
            .getMessage()
            .startsWith(empty + ": "));
  }

  @Test
  void theClientChecksTheServersNameOrAddressAgainstItsCertificate() throws Exception {
    SSLContext trusting = TestTls.clientContext();
    for (String host : new String[] {"127.0.0.1", "localhost"}) {
      try (SSLSocket socket = handshake(trusting, host)) {
        assertEquals("TLSv1.3", socket.getSession().getProtocol());
      }
    }
    SSLHandshakeException wrongName =
        assertThrows(SSLHandshakeException.class, () -> handshake(trusting, "mechat.invalid"));
    assertTrue(wrongName.getMessage().contains("mechat.invalid"), wrongName.getMessage());
  }

  @Test
  void theJvmsDefaultTrustStoreDoesNotTrustASelfSignedServer() throws Exception {
    SSLContext defaults = TlsContexts.client(Optional.empty());
    assertThrows(SSLHandshakeException.class, () -> handshake(defaults, "localhost"));
  }

  /** Connects to 127.0.0.1 and runs the client handshake as if the server were {@code host}. */
  private static SSLSocket handshake(SSLContext context, String host) throws Exception {
    int port = TestTls.tlsPort(server);
    Socket tcp = new Socket();
    tcp.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return TlsContexts.clientHandshake(context, tcp, host, port, Duration.ofSeconds(10));
  }
}
