package mechat.transport;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS plumbing shared by server and client (protocol §9): the server's context from a PKCS12
 * keystore, the client's from the JVM's trust store or from PEM certificates, and engines and
 * sockets that speak only TLS 1.3 and 1.2. Setup problems are a {@link TlsSetupException} whose
 * message is one line fit for the command line.
 */
public final class TlsContexts {
  /** The only protocol versions either side enables, newest first. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private TlsContexts() {}

  /** A TLS setup problem (keystore, password, certificates), explained in one line. */
  public static final class TlsSetupException extends Exception {
    public TlsSetupException(String message) {
      super(message, null, false, false);
    }
  }

  /** Loads the server's key and certificate chain from a PKCS12 keystore, once. */
  public static SSLContext server(Path keystore, char[] password) throws TlsSetupException {
    KeyStore store;
    try (InputStream in = Files.newInputStream(keystore)) {
      store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
    } catch (NoSuchFileException e) {
      throw new TlsSetupException("keystore " + keystore + ": no such file");
    } catch (AccessDeniedException e) {
      throw new TlsSetupException("keystore " + keystore + ": permission denied");
    } catch (IOException e) {
      throw new TlsSetupException(
          "keystore "
              + keystore
              + (e.getCause() instanceof UnrecoverableKeyException
                  ? ": wrong password"
                  : ": not a PKCS12 keystore (" + e.getMessage() + ")"));
    } catch (GeneralSecurityException e) {
      throw new TlsSetupException("keystore " + keystore + ": " + e.getMessage());
    }
    try {
      if (Collections.list(store.aliases()).stream().noneMatch(a -> isKeyEntry(store, a))) {
        throw new TlsSetupException("keystore " + keystore + " holds no private key");
      }
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (UnrecoverableKeyException e) {
      throw new TlsSetupException(
          "keystore " + keystore + ": its key has another password than the keystore");
    } catch (GeneralSecurityException e) {
      throw new TlsSetupException("keystore " + keystore + ": " + e.getMessage());
    }
  }

  private static boolean isKeyEntry(KeyStore store, String alias) {
    try {
      return store.isKeyEntry(alias);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** A fresh server-side engine for one connection: TLS 1.3 and 1.2 only. */
  public static SSLEngine serverEngine(SSLContext context) {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setEnabledProtocols(PROTOCOLS.toArray(String[]::new));
    return engine;
  }

  /**
   * The client's context: it trusts the JVM's default trust store, or, given a PEM file, only the
   * certificates in it (a self-signed server's own certificate, or a private CA).
   */
  public static SSLContext client(Optional<Path> trustedPem) throws TlsSetupException {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trustedPem.isPresent() ? trustStore(trustedPem.get()) : null);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new TlsSetupException("cannot set up TLS: " + e.getMessage());
    }
  }

  private static KeyStore trustStore(Path pem) throws TlsSetupException, GeneralSecurityException {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(pem)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (NoSuchFileException e) {
      throw new TlsSetupException(pem + ": no such file");
    } catch (AccessDeniedException e) {
      throw new TlsSetupException(pem + ": permission denied");
    } catch (IOException e) {
      throw new TlsSetupException(pem + ": " + e.getMessage());
    } catch (CertificateException e) {
      throw new TlsSetupException(pem + ": not a PEM certificate file");
    }
    if (certificates.isEmpty()) {
      throw new TlsSetupException(pem + ": no certificate in it");
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    int i = 0;
    for (Certificate certificate : certificates) {
      store.setCertificateEntry("trusted-" + i++, certificate);
    }
    return store;
  }

  /**
   * Runs the client side of the handshake over an already connected socket: TLS 1.3 or 1.2, with
   * the server's name or address checked against its certificate (endpoint identification, as HTTPS
   * does) and sent as SNI. Closes {@code connected} if the handshake fails.
   */
  public static SSLSocket clientHandshake(
      SSLContext context, Socket connected, String host, int port, Duration timeout)
      throws IOException {
    SSLSocket socket;
    try {
      socket = (SSLSocket) context.getSocketFactory().createSocket(connected, host, port, true);
    } catch (IOException e) {
      connected.close();
      throw e;
    }
    try {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      parameters.setProtocols(PROTOCOLS.toArray(String[]::new));
      socket.setSSLParameters(parameters);
      int soTimeout = socket.getSoTimeout();
      socket.setSoTimeout((int) timeout.toMillis());
      socket.startHandshake();
      socket.setSoTimeout(soTimeout);
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }
}
