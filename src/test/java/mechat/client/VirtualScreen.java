package mechat.client;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.impl.ExternalTerminal;

/**
 * A JLine virtual terminal for tests: keystrokes go in through a pipe, and everything the client
 * writes is captured, so a test can wait (with a deadline, never a sleep) for text to appear.
 */
final class VirtualScreen implements AutoCloseable {
  /** Which terminal sits between the keystrokes and the client. */
  enum Kind {
    /**
     * A real pseudo-terminal, as TerminalBuilder makes for streams: the kernel's line discipline
     * and raw mode, as in a terminal window. Its Ctrl-C raises no signal (no process has it as its
     * controlling terminal), so Ctrl-C tests use {@link #EXTERNAL}.
     */
    PTY,
    /**
     * JLine's line discipline in Java: Ctrl-C raises INT on the terminal, as a real SIGINT does.
     */
    EXTERNAL
  }

  static final Duration WAIT = Duration.ofSeconds(10);
  static final String ENTER = "\r";
  // xterm in keypad-transmit mode (JLine switches it on) sends ESC O D for the left arrow
  static final String LEFT = "\u001bOD";
  static final String CTRL_C = "\u0003";
  static final String CTRL_D = "\u0004";

  // CSI and OSC sequences, other two-character escapes, carriage returns and backspaces (the
  // cursor moves a redraw ends with).
  private static final Pattern CONTROL =
      Pattern.compile(
          "\u001b\\[[0-?]*[ -/]*[@-~]|\u001b\\][^\u0007\u001b]*(\u0007|\u001b\\\\)|\u001b[@-Z\\\\-_]|[\r\b]");

  private static final String TYPE = "xterm-256color";
  private static final Size SIZE = new Size(100, 30);

  private final PipedOutputStream keys = new PipedOutputStream();
  private final Capture screen = new Capture();
  private final Terminal terminal;

  VirtualScreen(Kind kind) throws IOException {
    PipedInputStream input = new PipedInputStream(keys, 4096);
    if (kind == Kind.PTY) {
      terminal =
          TerminalBuilder.builder()
              .system(false)
              .streams(input, screen)
              .type(TYPE)
              .size(SIZE)
              .encoding(StandardCharsets.UTF_8)
              .build();
    } else {
      terminal = new ExternalTerminal("test", TYPE, input, screen, StandardCharsets.UTF_8);
      terminal.setSize(SIZE);
    }
  }

  Terminal terminal() {
    return terminal;
  }

  void type(String keystrokes) throws IOException {
    keys.write(keystrokes.getBytes(StandardCharsets.UTF_8));
    keys.flush();
  }

  /** Everything written so far, escape sequences included. */
  String raw() {
    return screen.text();
  }

  /** Everything written so far as plain text: escape sequences and carriage returns removed. */
  String plain() {
    return plain(raw());
  }

  static String plain(String raw) {
    return CONTROL.matcher(raw).replaceAll("");
  }

  /** Waits until the plain text from {@code fromChar} on (of the raw text) satisfies the test. */
  String awaitPlain(int fromChar, Predicate<String> test, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    synchronized (screen) {
      while (true) {
        String tail = plain(screen.text().substring(fromChar));
        if (test.test(tail)) return tail;
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail(
              "screen never showed "
                  + what
                  + "; it shows:\n"
                  + tail
                  + "\nraw: "
                  + visible(screen.text().substring(fromChar)));
        }
        try {
          screen.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          fail("interrupted");
        }
      }
    }
  }

  static String visible(String raw) {
    StringBuilder b = new StringBuilder();
    raw.chars()
        .forEach(
            c ->
                b.append(
                    c < 0x20 || c == 0x7f ? String.format("<%02x>", c) : String.valueOf((char) c)));
    return b.toString();
  }

  String awaitPlain(String text) {
    return awaitPlain(0, s -> s.contains(text), "'" + text + "'");
  }

  /** Waits until the input line is ready: the screen ends with a prompt. */
  void awaitPrompt() {
    awaitPlain(0, s -> s.endsWith("> ") || s.endsWith(": "), "a prompt");
  }

  int rawLength() {
    return raw().length();
  }

  @Override
  public void close() throws IOException {
    keys.close();
    terminal.close();
  }

  /** The screen's bytes, with a monitor that is notified on every write. */
  private static final class Capture extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
      notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
      notifyAll();
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }
}
