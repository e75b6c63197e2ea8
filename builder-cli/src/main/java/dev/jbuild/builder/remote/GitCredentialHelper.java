package dev.jbuild.builder.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The user's git credential helper, asked as {@code git} asks it: {@code git credential
 * fill|approve|reject} with git's credential protocol ({@code key=value} lines, a blank line ends
 * the input). The {@code git} binary reads the user's git config itself; JGit stays hermetic. git
 * may never prompt: {@code GIT_TERMINAL_PROMPT=0}, {@code GIT_ASKPASS} and {@code SSH_ASKPASS}
 * empty (which also overrides {@code core.askPass}), {@code credential.interactive=false}. Each run
 * is bounded to {@link #TIMEOUT_SECONDS} and its output to {@link #MAX_OUTPUT} bytes; no git on
 * PATH, a failure, a timeout or an output too large all mean "no credential". The password is never
 * logged nor put in an error.
 */
final class GitCredentialHelper {
  private GitCredentialHelper() {}

  /** How long one {@code git credential} run may take. */
  static final int TIMEOUT_SECONDS = 10;

  /** The most {@code git credential fill} may print. */
  static final int MAX_OUTPUT = 64 * 1024;

  /** What git's credential protocol describes a remote by. */
  record Request(String protocol, String host, String path) {
    /** The protocol lines, or empty when a value cannot be sent (a newline, a NUL: git's rule). */
    Optional<String> lines() {
      StringBuilder b = new StringBuilder();
      for (String[] kv : new String[][] {{"protocol", protocol}, {"host", host}, {"path", path}}) {
        if (kv[1] == null || kv[1].isEmpty()) {
          continue;
        }
        if (!sendable(kv[1])) {
          return Optional.empty();
        }
        b.append(kv[0]).append('=').append(kv[1]).append('\n');
      }
      return Optional.of(b.toString());
    }
  }

  /** A username and password from the helper; toString hides the password. */
  record Credential(String username, String password) {
    @Override
    public String toString() {
      return "Credential[username=" + username + ", password=<hidden>]";
    }
  }

  private static boolean sendable(String v) {
    return v.indexOf('\n') < 0 && v.indexOf('\r') < 0 && v.indexOf('\0') < 0;
  }

  /** {@code git credential fill}: the credential the user's helpers have, if any. */
  static Optional<Credential> fill(Request r) {
    Optional<String> in = r.lines();
    if (in.isEmpty()) {
      return Optional.empty();
    }
    Optional<byte[]> out = run("fill", in.get() + "\n", true);
    return out.flatMap(GitCredentialHelper::parse);
  }

  /** {@code git credential approve}: the helpers may store a credential that worked. */
  static void approve(Request r, Credential c) {
    tell("approve", r, c);
  }

  /** {@code git credential reject}: the helpers forget a credential the server refused. */
  static void reject(Request r, Credential c) {
    tell("reject", r, c);
  }

  private static void tell(String action, Request r, Credential c) {
    Optional<String> in = r.lines();
    if (in.isEmpty() || !sendable(c.username()) || !sendable(c.password())) {
      return;
    }
    run(
        action,
        in.get() + "username=" + c.username() + "\npassword=" + c.password() + "\n\n",
        false);
  }

  /**
   * Parses {@code git credential fill}'s output: {@code key=value} lines, split at the first {@code
   * =} (a password may hold more), the last of a key winning as in git; both username and password
   * are needed (git would prompt for a missing one; jbuild never prompts).
   */
  static Optional<Credential> parse(byte[] output) {
    if (output.length > MAX_OUTPUT) {
      return Optional.empty();
    }
    String text = new String(output, StandardCharsets.UTF_8);
    if (text.indexOf('\0') >= 0) {
      return Optional.empty();
    }
    String user = null;
    String pass = null;
    for (String line : text.split("\n", -1)) {
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isEmpty()) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1);
      if (key.equals("username")) {
        user = value;
      } else if (key.equals("password")) {
        pass = value;
      }
    }
    if (user == null || pass == null || user.isEmpty() || pass.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Credential(user, pass));
  }

  /** Runs {@code git credential ACTION} with {@code input}; its stdout when it exits 0. */
  private static Optional<byte[]> run(String action, String input, boolean wantOutput) {
    List<String> argv = new ArrayList<>();
    argv.add("git");
    argv.add("-c");
    argv.add("credential.interactive=false");
    argv.add("credential");
    argv.add(action);
    ProcessBuilder pb = new ProcessBuilder(argv);
    Map<String, String> env = pb.environment();
    env.put("GIT_TERMINAL_PROMPT", "0");
    env.put("GIT_ASKPASS", "");
    env.put("SSH_ASKPASS", "");
    env.remove("GIT_TRACE");
    env.remove("GIT_TRACE_CURL");
    // the user's config only, never a repository's: jbuild often runs inside a cloned (perhaps
    // hostile) repository, whose .git/config could name a helper command
    env.remove("GIT_DIR");
    env.remove("GIT_WORK_TREE");
    env.remove("GIT_COMMON_DIR");
    pb.directory(new java.io.File("/"));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return Optional.empty(); // no git on PATH
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    boolean[] tooLarge = {false};
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (InputStream s = p.getInputStream()) {
                    byte[] b = new byte[8192];
                    int n;
                    while ((n = s.read(b)) >= 0) {
                      if (buf.size() + n > MAX_OUTPUT) {
                        tooLarge[0] = true;
                        p.destroyForcibly();
                        return;
                      }
                      buf.write(b, 0, n);
                    }
                  } catch (IOException e) {
                    // the process went away
                  }
                });
    try {
      try (OutputStream os = p.getOutputStream()) {
        os.write(input.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // git exited early: its exit code says what happened
      }
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      reader.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
      if (reader.isAlive() || tooLarge[0] || p.exitValue() != 0) {
        return Optional.empty();
      }
      return wantOutput ? Optional.of(buf.toByteArray()) : Optional.of(new byte[0]);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return Optional.empty();
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }
}
