package dev.jbuild.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs skopeo (Debian package) and returns its stdout; fails the test when it fails. */
public final class Skopeo {
  private Skopeo() {}

  public static String run(List<String> args) {
    var cmd = new ArrayList<String>();
    cmd.add("skopeo");
    cmd.add("--insecure-policy");
    cmd.addAll(args);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
      p.getOutputStream().close();
      var out = p.getInputStream().readAllBytes();
      var err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("skopeo timed out: " + cmd);
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(
            "skopeo failed: " + cmd + "\n" + new String(err, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("cannot run skopeo (Debian package skopeo): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
