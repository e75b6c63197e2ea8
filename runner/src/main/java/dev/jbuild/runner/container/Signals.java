package dev.jbuild.runner.container;

import java.util.List;
import java.util.Locale;

/**
 * Signal names and numbers as Docker reads them (moby's signal.ParseSignal on Linux): a number
 * (1-64), or a name with or without {@code SIG}, in any case ({@code SIGUSR1}, {@code usr1}, {@code
 * 10}), the real-time ones as {@code RTMIN}, {@code RTMIN+N}, {@code RTMAX-N}, {@code RTMAX}.
 */
public final class Signals {
  private Signals() {}

  /** Linux's signal names by number (1 to 31; x86-64 and arm64 number them alike). */
  private static final List<String> BY_NUMBER =
      List.of(
          "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
          "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
          "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

  private static final int RTMIN = 34;
  private static final int RTMAX = 64;

  /** The number of {@code signal}; an IllegalArgumentException {@code invalid signal: X}. */
  public static int number(String signal) {
    String s = signal == null ? "" : signal.strip();
    if (s.matches("[0-9]{1,3}")) {
      int n = Integer.parseInt(s);
      if (n >= 1 && n <= RTMAX) {
        return n;
      }
      throw invalid(signal);
    }
    String name = s.toUpperCase(Locale.ROOT);
    if (name.startsWith("SIG")) {
      name = name.substring(3);
    }
    int i = BY_NUMBER.indexOf(name);
    if (i > 0) {
      return i;
    }
    switch (name) {
      case "IOT" -> {
        return 6;
      }
      case "CLD" -> {
        return 17;
      }
      case "POLL" -> {
        return 29;
      }
      case "RTMIN" -> {
        return RTMIN;
      }
      case "RTMAX" -> {
        return RTMAX;
      }
      default -> {
        // below
      }
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("RT(MIN\\+|MAX-)([0-9]{1,2})").matcher(name);
    if (m.matches()) {
      int n = Integer.parseInt(m.group(2));
      // docker's table: RTMIN+1..RTMIN+15, RTMAX-14..RTMAX-1
      if (m.group(1).equals("MIN+") && n >= 1 && n <= 15) {
        return RTMIN + n;
      }
      if (m.group(1).equals("MAX-") && n >= 1 && n <= 14) {
        return RTMAX - n;
      }
    }
    throw invalid(signal);
  }

  private static IllegalArgumentException invalid(String signal) {
    return new IllegalArgumentException("invalid signal: " + signal);
  }
}
