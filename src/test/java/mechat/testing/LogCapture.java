package mechat.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Records what the server logs at INFO and above (MEchat's and Pekko's loggers) while it is open,
 * to check what an operator would see; the tests' own configuration logs WARN only.
 */
public final class LogCapture implements AutoCloseable {
  private static final String[] LOGGERS = {"mechat", "org.apache.pekko"};

  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level[] levels = new Level[LOGGERS.length];

  private LogCapture() {
    appender.setContext(context);
    appender.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    for (int i = 0; i < LOGGERS.length; i++) {
      Logger logger = context.getLogger(LOGGERS[i]);
      levels[i] = logger.getLevel();
      logger.setLevel(Level.INFO);
    }
  }

  public static LogCapture start() {
    return new LogCapture();
  }

  public List<ILoggingEvent> events() {
    synchronized (appender.list) {
      return List.copyOf(appender.list);
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < LOGGERS.length; i++) context.getLogger(LOGGERS[i]).setLevel(levels[i]);
    context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
    appender.stop();
  }
}
