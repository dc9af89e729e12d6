package mechat.fuzz;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects every WARN and ERROR logged anywhere in the JVM while installed. */
final class LogWatch extends AppenderBase<ILoggingEvent> {
  private final List<String> events = new ArrayList<>();

  static LogWatch install() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogWatch watch = new LogWatch();
    watch.setContext(context);
    watch.setName("fuzz-log-watch");
    watch.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(watch);
    return watch;
  }

  void uninstall() {
    ((LoggerContext) LoggerFactory.getILoggerFactory())
        .getLogger(Logger.ROOT_LOGGER_NAME)
        .detachAppender(this);
    stop();
  }

  @Override
  protected synchronized void append(ILoggingEvent e) {
    if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
      events.add(e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage());
    }
  }

  /** The events since the last call. */
  synchronized List<String> drain() {
    List<String> out = new ArrayList<>(events);
    events.clear();
    return out;
  }
}
