package mechat.web;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResource;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;

import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web client (§10), four plain files served from the jar ({@code src/main/resources/web}): the
 * page at {@code /} with a Content-Security-Policy that lets it load and connect to nothing but its
 * own origin, and its script, style sheet and icon, each at a fixed path (no directory is served).
 */
final class Page {
  /** Only same-origin script, style, images and WebSocket; no inline code, no framing. */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
          + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final List<HttpHeader> PAGE_HEADERS =
      List.of(
          RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("Referrer-Policy", "no-referrer"),
          RawHeader.create("X-Frame-Options", "DENY"),
          RawHeader.create("Cache-Control", "no-cache"));

  private static final List<HttpHeader> ASSET_HEADERS =
      List.of(
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("Cache-Control", "no-cache"));

  /** RFC 9239's type for JavaScript (Pekko's default would be application/javascript). */
  private static final ContentType JAVASCRIPT =
      ContentTypes.parse("text/javascript; charset=UTF-8");

  private static final ContentType CSS = ContentTypes.parse("text/css; charset=UTF-8");
  private static final ContentType SVG = ContentTypes.parse("image/svg+xml");

  private Page() {}

  static Route route() {
    return concat(
        pathSingleSlash(
            () ->
                get(
                    () ->
                        respondWithHeaders(
                            PAGE_HEADERS,
                            () -> getFromResource("web/index.html", ContentTypes.TEXT_HTML_UTF8)))),
        asset("app.js", JAVASCRIPT),
        asset("style.css", CSS),
        asset("favicon.svg", SVG));
  }

  private static Route asset(String name, ContentType type) {
    return path(
        name,
        () ->
            get(
                () ->
                    respondWithHeaders(ASSET_HEADERS, () -> getFromResource("web/" + name, type))));
  }
}
