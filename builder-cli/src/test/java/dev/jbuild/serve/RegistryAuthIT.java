package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docker CLI's registry credentials through the daemon, against a registry that asks for them
 * (basic auth, and a token server's): {@code docker login} (checked by the daemon's {@code POST
 * /auth}), then push and pull ({@code X-Registry-Auth}) and a build whose base is in that registry
 * ({@code X-Registry-Config}); a wrong password is docker's one-line error, never a trace.
 */
class RegistryAuthIT {
  @TempDir Path tmp;

  @Test
  void loginPushPullAndBuildAgainstARegistryWithBasicAuth() throws Exception {
    loginPushPullAndBuild(LocalRegistry.Options.plain().withAuth("alice", "s3cret"));
  }

  @Test
  void loginPushPullAndBuildAgainstARegistryWithTokenAuth() throws Exception {
    loginPushPullAndBuild(LocalRegistry.Options.plain().withTokenAuth("alice", "s3cret"));
  }

  private void loginPushPullAndBuild(LocalRegistry.Options options) throws Exception {
    try (Store s = Store.open(tmp.resolve("store"))) {
      TestImages.busybox(s, "busybox");
    }
    try (LocalRegistry registry = LocalRegistry.start(options);
        DaemonProcess d = DaemonProcess.start(tmp)) {
      DockerCli docker = new DockerCli(d, tmp);
      String host = registry.host();
      String image = host + "/alice/bb:1";

      DockerCli.Result wrong = docker.run("login", "-u", "alice", "-p", "nope", host);
      assertNotEquals(0, wrong.exit(), wrong.toString());
      assertTrue(wrong.err().contains("401 Unauthorized"), wrong.toString());
      assertOneLine(wrong, d);

      ok(docker, d, "tag", "busybox", image);
      DockerCli.Result anonymous = docker.run("push", image);
      assertNotEquals(0, anonymous.exit(), anonymous.toString());
      assertOneLine(anonymous, d);
      assertTrue(anonymous.err().contains("docker login " + host), anonymous.toString());

      DockerCli.Result login = ok(docker, d, "login", "-u", "alice", "-p", "s3cret", host);
      assertTrue(login.out().contains("Login Succeeded"), login.toString());
      ok(docker, d, "push", image);
      ok(docker, d, "rmi", image);
      ok(docker, d, "pull", image);

      Path ctx = Files.createDirectories(tmp.resolve("ctx"));
      Files.writeString(ctx.resolve("Dockerfile"), "FROM " + image + "\nRUN echo built > /b\n");
      ok(docker, d, "rmi", image);
      DockerCli.Result built =
          docker.run(ctx, Duration.ofMinutes(5), "build", "--pull", "-t", "authed", ".");
      assertEquals(0, built.exit(), built + "\n" + d.log());

      ok(docker, d, "logout", host);
      ok(docker, d, "rmi", image);
      DockerCli.Result denied = docker.run("pull", image);
      assertNotEquals(0, denied.exit(), denied.toString());
      assertOneLine(denied, d);
    }
  }

  private static DockerCli.Result ok(DockerCli docker, DaemonProcess d, String... args)
      throws IOException {
    DockerCli.Result r = docker.run(args);
    assertEquals(0, r.exit(), () -> "docker " + String.join(" ", args) + "\n" + r + "\n" + log(d));
    return r;
  }

  /** The client sees a message, no Java trace. */
  private static void assertOneLine(DockerCli.Result r, DaemonProcess d) {
    assertFalse(r.err().contains("\tat "), r.toString());
    assertFalse(r.err().contains("Exception"), r.toString());
    assertFalse(r.err().isBlank(), r + "\n" + log(d));
  }

  private static String log(DaemonProcess d) {
    try {
      return d.log();
    } catch (IOException e) {
      return "";
    }
  }
}
