package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Debian's python3-docker SDK against {@code jbuild serve}: build, list, pull, inspect, remove. */
class PythonDockerIT {
  @TempDir Path tmp;

  private static final String SCRIPT =
      """
      import sys, docker
      sock, ctx, base = sys.argv[1], sys.argv[2], sys.argv[3]
      c = docker.DockerClient(base_url='unix://' + sock, version='1.41')
      assert c.ping()
      print('version', c.version()['ApiVersion'])
      img, logs = c.images.build(path=ctx, tag='jbt-py:1', rm=True)
      print('built', img.id)
      print('log', ''.join(l.get('stream', '') for l in logs).replace('\\n', '|'))
      print('tags', sorted(t for i in c.images.list() for t in i.tags))
      print('labels', img.labels.get('org.py'))
      p = c.images.pull(base.rsplit(':', 1)[0], tag='latest')
      print('pulled', p.tags)
      try:
          c.images.build(path=ctx, dockerfile='Dockerfile.bad')
          print('bad build passed')
      except docker.errors.BuildError as e:
          print('build error', e.msg)
      c.images.remove('jbt-py:1')
      try:
          c.images.get('jbt-py:1')
          print('still there')
      except docker.errors.ImageNotFound:
          print('removed')
      """;

  @Test
  void theSdkBuildsListsPullsAndRemoves() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM " + TestRegistry.busybox() + "\nRUN echo from-python > /p\nLABEL org.py=yes\n");
    Files.writeString(
        ctx.resolve("Dockerfile.bad"), "FROM " + TestRegistry.busybox() + "\nRUN exit 7\n");
    Path script = tmp.resolve("sdk.py");
    Files.writeString(script, SCRIPT);
    try (DaemonProcess d = DaemonProcess.start(tmp)) {
      ProcessBuilder pb =
          new ProcessBuilder(
                  "python3",
                  script.toString(),
                  d.socket().toString(),
                  ctx.toString(),
                  TestRegistry.busybox())
              .redirectErrorStream(true);
      pb.environment().put("DOCKER_HOST", d.host());
      pb.environment().put("HOME", tmp.toString());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(5, TimeUnit.MINUTES));
      assertEquals(0, p.exitValue(), out + "\n" + d.log());
      assertTrue(out.contains("version 1.41"), out);
      assertTrue(out.contains("built sha256:"), out);
      assertTrue(out.contains("from-python"), out);
      assertTrue(out.contains("'jbt-py:1'"), out);
      assertTrue(out.contains("labels yes"), out);
      assertTrue(out.contains("pulled ['" + TestRegistry.busybox() + "']"), out);
      assertTrue(out.contains("build error"), out);
      assertTrue(out.contains("removed"), out);
    } catch (IOException e) {
      throw e;
    }
  }
}
