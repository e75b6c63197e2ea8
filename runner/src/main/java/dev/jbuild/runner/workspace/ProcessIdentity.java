package dev.jbuild.runner.workspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A process named by pid and start time (field 22 of /proc/PID/stat), so a recycled pid is not
 * mistaken for the process that owned a run directory.
 */
public record ProcessIdentity(long pid, long startTime) {
  /** This JVM. */
  public static ProcessIdentity self() {
    long pid = ProcessHandle.current().pid();
    try {
      return new ProcessIdentity(pid, startTimeOf(pid));
    } catch (IOException e) {
      return new ProcessIdentity(pid, -1);
    }
  }

  /** Parses "PID STARTTIME" as written by {@link #toString()}. */
  public static ProcessIdentity parse(String text) {
    String[] f = text.strip().split("\\s+");
    if (f.length != 2) {
      throw new IllegalArgumentException("not a process identity: " + text.strip());
    }
    return new ProcessIdentity(Long.parseLong(f[0]), Long.parseLong(f[1]));
  }

  /** The running process {@code pid}. */
  public static ProcessIdentity of(long pid) throws IOException {
    return new ProcessIdentity(pid, startTimeOf(pid));
  }

  /** True when this very process is still running (a zombie, killed but not reaped, is not). */
  public boolean isAlive() {
    try {
      String[] f = statFields(pid);
      return Long.parseLong(f[19]) == startTime && !f[0].equals("Z") && !f[0].equals("X");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return pid + " " + startTime;
  }

  static long startTimeOf(long pid) throws IOException {
    return Long.parseLong(statFields(pid)[19]);
  }

  /** The fields of /proc/PID/stat after the command name: [0] is the state. */
  private static String[] statFields(long pid) throws IOException {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IOException("no process " + pid, e);
    }
    // the command name (field 2) may contain spaces and parentheses: fields resume after the last
    // ')'
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
  }
}
