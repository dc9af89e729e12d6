package mechat.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium for the web page's tests, driven by Selenium through Debian's {@code chromium}
 * and {@code chromium-driver} packages ({@code .ci/run} installs them when missing). The driver's
 * path is given, so Selenium Manager never tries to download one. One browser per test class: start
 * it once, {@link #close()} it after (which stops chromedriver and chromium).
 */
public final class Browser implements AutoCloseable {
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Duration WAIT = Duration.ofSeconds(10);

  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriverService service, ChromeDriver driver, Path profile) {
    this.service = service;
    this.driver = driver;
    this.profile = profile;
  }

  /** Starts chromedriver and a headless chromium; fails, never skips, when they are missing. */
  public static Browser start() throws IOException {
    for (Path p : List.of(CHROMEDRIVER, CHROMIUM)) {
      if (!Files.isExecutable(p)) {
        throw new IllegalStateException(
            p + " is missing: install Debian's chromium and chromium-driver (.ci/run does)");
      }
    }
    Path profile = Files.createTempDirectory("mechat-chromium");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogOutput(java.io.OutputStream.nullOutputStream())
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox", // as root in a container
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--lang=en-GB",
        "--window-size=1000,720",
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL); // the console, CSP violations included
    options.setCapability("goog:loggingPrefs", logs);
    try {
      return new Browser(service, new ChromeDriver(service, options), profile);
    } catch (RuntimeException e) {
      service.stop();
      deleteProfile(profile);
      throw e;
    }
  }

  public ChromeDriver driver() {
    return driver;
  }

  public WebDriverWait waiting() {
    return new WebDriverWait(driver, WAIT);
  }

  /** The console lines logged since the last call (CSP violations show up here). */
  public List<LogEntry> console() {
    return driver.manage().logs().get(LogType.BROWSER).getAll();
  }

  public WebElement byId(String id) {
    return driver.findElement(By.id(id));
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      deleteProfile(profile);
    }
  }

  private static void deleteProfile(Path profile) {
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      // a temporary directory: left for the system to clean
    }
  }
}
