package mechat.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * The Origin rule of §10 against cross-site WebSocket hijacking: an upgrade is let through when it
 * carries no {@code Origin} (not a browser), or one equal to the page's own origin (the scheme,
 * host and port the request came to) or to an allowed one. Origins are compared normalized: scheme
 * and host in lower case, the scheme's default port left out.
 */
final class OriginRule {
  private final Set<String> allowed;

  OriginRule(Iterable<String> allowedOrigins) {
    Set<String> set = new HashSet<>();
    for (String o : allowedOrigins) {
      String origin = normalize(o);
      if (origin != null) set.add(origin);
    }
    this.allowed = Set.copyOf(set);
  }

  boolean allows(HttpRequest request) {
    Optional<String> origin = request.getHeader("Origin").map(HttpHeader::value);
    if (origin.isEmpty()) return true;
    String o = normalize(origin.get());
    return o != null && (o.equals(ownOrigin(request)) || allowed.contains(o));
  }

  /**
   * The origin of the page this request belongs to. Pekko gives an upgrade request the scheme
   * {@code ws} or {@code wss}; the page was {@code http} or {@code https} on the same host and
   * port.
   */
  static String ownOrigin(HttpRequest request) {
    String scheme =
        switch (request.getUri().getScheme()) {
          case "wss", "https" -> "https";
          default -> "http";
        };
    String host = request.getHeader("Host").map(HttpHeader::value).orElse("");
    return normalize(scheme + "://" + host);
  }

  /** {@code scheme://host[:port]} in normal form, or null if {@code s} is no http(s) origin. */
  static String normalize(String s) {
    URI uri;
    try {
      uri = new URI(s.trim());
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme)) return null;
    if (uri.getHost() == null || uri.getRawUserInfo() != null) return null;
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) return null;
    String path = uri.getRawPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) return null;
    int port = uri.getPort();
    if ((scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443)) port = -1;
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (port == -1 ? "" : ":" + port);
  }
}
