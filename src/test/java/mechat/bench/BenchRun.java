package mechat.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mechat.Main;
import picocli.CommandLine;

/** One in-process run of {@code mechat ...} through the real command line, output captured. */
public record BenchRun(int exit, String out, String err) {

  public static BenchRun of(Object... args) {
    String[] argv = new String[args.length];
    for (int i = 0; i < args.length; i++) argv[i] = String.valueOf(args[i]);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(argv);
    return new BenchRun(exit, out.toString(), err.toString());
  }

  /** The --json object: the last line of stdout. */
  public String jsonLine() {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1];
  }

  /** A number or boolean field of the --json object, as text. */
  public String json(String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":([^,}]+)").matcher(jsonLine());
    if (!m.find()) throw new AssertionError("no \"" + key + "\" in " + jsonLine());
    return m.group(1);
  }

  public long count(String key) {
    return Long.parseLong(json(key));
  }

  @Override
  public String toString() {
    return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
