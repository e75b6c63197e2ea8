package dev.jbuild.serve;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The daemon's log: one line per request (time, method, target, status, client, milliseconds, and
 * the failure's line when there was one), and the traces of handler failures, which never go to the
 * client.
 */
public final class RequestLog {
  private final PrintStream out;

  public RequestLog(PrintStream out) {
    this.out = out;
  }

  void request(
      String method,
      String target,
      int status,
      ApiCall.Client client,
      long startNanos,
      String failure) {
    long ms = (System.nanoTime() - startNanos) / 1_000_000L;
    String safeTarget = target.length() > 512 ? target.substring(0, 512) + "..." : target;
    line(
        method
            + " "
            + printable(safeTarget)
            + " "
            + status
            + " "
            + client.description()
            + " "
            + ms
            + "ms"
            + (failure == null ? "" : " error: " + printable(failure)));
  }

  /** One line of the log, with a timestamp. */
  public void line(String text) {
    synchronized (out) {
      out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + text);
      out.flush();
    }
  }

  void trace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    synchronized (out) {
      out.print(w);
      out.flush();
    }
  }

  /** Control characters of a client's text shown escaped: one request is one line. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
