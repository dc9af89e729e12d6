package mechat.testing;

import com.typesafe.config.ConfigUtil;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import mechat.server.ChatServer;
import mechat.server.ServerSettings;
import mechat.transport.TlsContexts;

/**
 * The TLS test fixture (src/test/resources/tls: a self-signed keystore for localhost and 127.0.0.1,
 * and its certificate) and servers that listen on a TLS port as well.
 */
public final class TestTls {
  public static final String PASSWORD = "mechat-test";
  public static final String PASSWORD_ENV = "MECHAT_TLS_PASSWORD";

  private TestTls() {}

  /** The PKCS12 keystore, alias mechat, password {@link #PASSWORD}. */
  public static Path keystore() {
    return resource("/tls/server.p12");
  }

  /** The keystore's certificate in PEM: what a client trusts. */
  public static Path certificate() {
    return resource("/tls/server.pem");
  }

  private static Path resource(String name) {
    try {
      return Path.of(TestTls.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static SSLContext serverContext() {
    try {
      return TlsContexts.server(keystore(), PASSWORD.toCharArray());
    } catch (TlsContexts.TlsSetupException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client context that trusts the fixture's certificate only. */
  public static SSLContext clientContext() {
    try {
      return TlsContexts.client(Optional.of(certificate()));
    } catch (TlsContexts.TlsSetupException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@link TestServers#settings} plus a TLS listener on a free port, then the overrides. */
  public static ServerSettings settings(String... overrides) {
    List<String> lines = new ArrayList<>();
    lines.add("tls-port = 0");
    lines.add("tls-keystore = " + ConfigUtil.quoteString(keystore().toString()));
    lines.add("tls-keystore-password-env = " + PASSWORD_ENV);
    lines.addAll(List.of(overrides));
    return TestServers.settings(lines.toArray(String[]::new));
  }

  /** Starts a server with a plain and a TLS listener; settings must have a TLS port. */
  public static ChatServer start(ServerSettings settings) {
    try {
      return ChatServer.start(settings, TestServers.config(), Optional.of(serverContext()));
    } catch (Exception e) {
      throw new IllegalStateException("server did not start", e);
    }
  }

  public static ChatServer start() {
    return start(settings());
  }

  public static int tlsPort(ChatServer server) {
    return server.tlsPort().orElseThrow();
  }
}
