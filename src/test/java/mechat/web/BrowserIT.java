package mechat.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mechat.server.ChatServer;
import mechat.testing.Browser;
import mechat.testing.LineClient;
import mechat.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;

/**
 * The web page in a real browser (headless Chromium), against a real server: people pick names, are
 * matched with each other and with terminal users, chat, move on, and see the server go. One test
 * takes the README's screenshot, {@code docs/web-client.png}.
 */
class BrowserIT {
  private static Browser browser;
  private static ChromeDriver driver;
  private static String firstWindow;

  private ChatServer server;
  private String page;

  @BeforeAll
  static void startBrowser() throws Exception {
    browser = Browser.start();
    driver = browser.driver();
    firstWindow = driver.getWindowHandle();
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) browser.close();
  }

  @BeforeEach
  void startServer() {
    server = TestServers.start(TestServers.settings("http-port = 0"));
    page = "http://127.0.0.1:" + server.httpPort().orElseThrow() + "/";
  }

  @AfterEach
  void stopServerAndCloseWindows() throws Exception {
    for (String w : driver.getWindowHandles()) {
      if (!w.equals(firstWindow)) driver.switchTo().window(w).close();
    }
    driver.switchTo().window(firstWindow);
    driver.get("about:blank");
    server.stop(Duration.ofSeconds(20));
  }

  /** Opens the page in a new window (the first time, in the first one); returns its handle. */
  private String open() {
    if (!driver.getCurrentUrl().startsWith("http")) {
      driver.get(page);
    } else {
      driver.switchTo().newWindow(WindowType.WINDOW);
      driver.get(page);
    }
    browser.waiting().until(d -> "start".equals(state()));
    return driver.getWindowHandle();
  }

  private void in(String window) {
    driver.switchTo().window(window);
  }

  private static String state() {
    return driver.findElement(By.tagName("body")).getAttribute("data-state");
  }

  private static void awaitState(String state) {
    browser.waiting().until(d -> state.equals(state()));
  }

  private static void join(String name) {
    WebElement field = browser.byId("name");
    field.clear();
    field.sendKeys(name, Keys.ENTER);
  }

  /**
   * Types a message and presses Enter. ChromeDriver types only characters of the BMP, and a typed
   * TAB moves the focus: text with either is put into the field as a paste would.
   */
  private static void say(String text) {
    WebElement field = browser.byId("message");
    if (text.codePoints().allMatch(c -> c < 0x10000 && c != '\t')) {
      field.sendKeys(text, Keys.ENTER);
    } else {
      driver.executeScript(
          "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));",
          field,
          text);
      field.sendKeys(Keys.ENTER);
    }
  }

  private static String textOf(WebElement e) {
    return e.getDomProperty("textContent");
  }

  /** Waits until the last line of the log is of this kind and holds exactly this text. */
  private static void awaitLast(String kind, String text) {
    browser
        .waiting()
        .until(
            d -> {
              List<WebElement> lines = d.findElements(By.cssSelector("#log > li"));
              if (lines.isEmpty()) return false;
              WebElement last = lines.get(lines.size() - 1);
              return kind.equals(last.getAttribute("data-kind"))
                  && text.equals(textOf(last.findElement(By.className("text"))));
            });
  }

  /** Waits for a system line caused by this notice of the server. */
  private static void awaitNotice(String notice) {
    browser
        .waiting()
        .until(
            d ->
                d.findElements(By.cssSelector("#log > li[data-kind='system']")).stream()
                    .anyMatch(e -> notice.equals(e.getAttribute("data-notice"))));
  }

  private static void assertNoCspViolation() {
    for (LogEntry e : browser.console()) {
      assertTrue(!e.getMessage().contains("Content Security Policy"), e.getMessage());
    }
  }

  @Test
  void s10_twoBrowserWindowsPickNamesAreMatchedAndChatBothWays() throws Exception {
    String alice = open();
    freezeClock();
    assertEquals("name", driver.switchTo().activeElement().getAttribute("id"), "focus on name");
    join("alice");
    awaitState("waiting");
    awaitNotice("wait");
    String bob = open();
    join("bob");
    awaitState("chatting");
    assertEquals("alice", browser.byId("partner").getText());
    assertEquals("message", driver.switchTo().activeElement().getAttribute("id"));
    say("Hi! Anyone there?");
    awaitLast("mine", "Hi! Anyone there?");
    assertEquals("message", driver.switchTo().activeElement().getAttribute("id"), "focus stays");
    in(alice);
    awaitState("chatting");
    assertEquals("bob", browser.byId("partner").getText());
    awaitLast("partner", "Hi! Anyone there?");
    say("Hello bob! I'm in a browser. And you?");
    in(bob);
    awaitLast("partner", "Hello bob! I'm in a browser. And you?");
    say("A browser too. <b>Tags</b> arrive as typed, never as HTML.");
    in(alice);
    awaitLast("partner", "A browser too. <b>Tags</b> arrive as typed, never as HTML.");
    say("Nice. Next finds someone new; Leave ends the chat.");
    awaitLast("mine", "Nice. Next finds someone new; Leave ends the chat.");
    screenshot(Path.of("docs", "web-client.png"));
    assertNoCspViolation();
  }

  /**
   * Freezes the page's clock (for this window) so that the screenshot shows the same times on every
   * run: each new Date() is 20 s after the last, from 14:02 UTC.
   */
  private static void freezeClock() {
    driver.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", "UTC"));
    driver.executeCdpCommand(
        "Page.addScriptToEvaluateOnNewDocument",
        Map.of(
            "source",
            "(() => { const Real = Date; let t = Real.UTC(2026, 11, 7, 14, 2, 0);"
                + " class Fixed extends Real { constructor(...a) {"
                + " if (a.length) { super(...a); } else { super(t); t += 20000; } }"
                + " static now() { return t; } } window.Date = Fixed; })();"));
    driver.navigate().refresh();
    browser.waiting().until(d -> "start".equals(state()));
  }

  private static void screenshot(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
  }

  @Test
  void s10_aBrowserAndATcpClientChatBothWays() throws Exception {
    open();
    join("webby");
    awaitState("waiting");
    try (LineClient tcp = LineClient.named(server.port(), "termy")) {
      tcp.expect("matched to webby");
      awaitState("chatting");
      assertEquals("termy", browser.byId("partner").getText());
      say("hello terminal");
      tcp.expect("webby: hello terminal");
      tcp.send("hello browser");
      awaitLast("partner", "hello browser");
      assertEquals(
          "termy",
          driver.findElement(By.cssSelector("#log > li:last-child")).getAttribute("data-from"));
    }
    awaitNotice("partner left");
    awaitState("waiting");
  }

  @Test
  void s10_nextInTheBrowserRequeuesItAndItsTcpPartnerGetsPartnerLeft() throws Exception {
    open();
    join("nexter");
    awaitState("waiting");
    try (LineClient tcp = LineClient.named(server.port(), "stayer");
        LineClient third = new LineClient(server.port())) {
      tcp.expect("matched to nexter");
      awaitState("chatting");
      browser.byId("next").click();
      tcp.expect("partner left");
      tcp.expect("wait");
      awaitState("waiting");
      assertEquals("message", driver.switchTo().activeElement().getAttribute("id"));
      third.send("third");
      String matched = third.readLine();
      assertTrue(
          matched.equals("matched to stayer") || matched.equals("matched to nexter"), matched);
      // Whoever third did not meet is still waiting: nexter and stayer are not paired again.
      if (matched.equals("matched to nexter")) {
        awaitState("chatting");
        assertEquals("third", browser.byId("partner").getText());
        tcp.expectSilence(Duration.ofMillis(300));
      } else {
        tcp.expect("matched to third");
        assertEquals("waiting", state());
      }
    }
  }

  @Test
  void s10_aRefusedNameThenATakenNameThenAGoodOne() throws Exception {
    try (LineClient taken = LineClient.named(server.port(), "Carol")) {
      taken.expect("wait");
      open();
      join("carol smith");
      WebElement error = browser.byId("name-error");
      browser.waiting().until(d -> error.isDisplayed());
      assertTrue(error.getText().contains("can’t contain spaces"), error.getText());
      assertEquals("true", browser.byId("name").getAttribute("aria-invalid"));
      assertEquals("start", state(), "nothing sent");
      join("carol");
      browser.waiting().until(d -> "username taken".equals(error.getAttribute("data-notice")));
      assertTrue(error.getText().contains("already using the name “carol”"), error.getText());
      assertEquals("name", driver.switchTo().activeElement().getAttribute("id"));
      join("carol2");
      taken.expect("matched to carol2");
      awaitState("chatting");
      assertTrue(!error.isDisplayed());
    }
  }

  @Test
  void s10_htmlAndEmojiArriveAsExactlyThatText() throws Exception {
    String tricky = "<img src=x onerror=alert(1)> 😀 <script>alert(2)</script> &amp; <b>b</b>";
    open();
    join("reader");
    awaitState("waiting");
    try (LineClient tcp = LineClient.named(server.port(), "writer")) {
      tcp.expect("matched to reader");
      tcp.send(tricky);
      awaitLast("partner", tricky);
      assertEquals(0, driver.findElements(By.cssSelector("#log img, #log script, #log b")).size());
      assertThrows(NoAlertPresentException.class, () -> driver.switchTo().alert());
      say(tricky);
      tcp.expect("reader: " + tricky);
      awaitLast("mine", tricky);
      assertEquals(0, driver.findElements(By.cssSelector("#log img, #log script, #log b")).size());
      assertThrows(NoAlertPresentException.class, () -> driver.switchTo().alert());
    }
    assertNoCspViolation();
  }

  @Test
  void s10_theServersShutdownShowsOnThePage() throws Exception {
    String first = open();
    join("early");
    awaitState("waiting");
    String second = open();
    join("late");
    awaitState("chatting");
    server.stop(Duration.ofSeconds(20));
    for (String window : List.of(first, second)) {
      in(window);
      awaitState("closed");
      WebElement closed = browser.byId("closed");
      assertTrue(closed.isDisplayed());
      assertEquals("1001", closed.getAttribute("data-code"));
      assertEquals("server shutting down", closed.getAttribute("data-notice"));
      assertEquals("Server restarting", browser.byId("closed-title").getText());
      assertEquals("reconnect", driver.switchTo().activeElement().getAttribute("id"));
    }
  }
}
