package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ADD of an ssh git source through {@code --ssh default}: a real sshd of the test's own on
 * 127.0.0.1 (its host key, one authorized key, no PAM, no password), an ssh-agent holding that key
 * on a socket, and jbuild's system-ssh transport using the agent and nothing else.
 */
class GitSshIT {
  Path work;
  Path root;
  GitServers servers;
  final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    work = Files.createTempDirectory("jbuild-gitssh");
    root = work.resolve("store");
    servers = new GitServers(Files.createDirectories(work.resolve("repos")));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    servers.close();
    CorpusCases.deleteTree(work);
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void awaitPort(int port) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        if (s.isConnected()) {
          return;
        }
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("nothing listens on 127.0.0.1:" + port);
  }

  @Test
  void addOverSshUsesTheForwardedAgent() throws Exception {
    Path src = servers.newRepo("viassh");
    Files.writeString(src.resolve("f.txt"), "over ssh\n");
    GitServers.commitAndPush(src, "ssh");

    Path hostKey = work.resolve("host_key");
    Path userKey = work.resolve("user_key");
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString());
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", userKey.toString());
    Path authorized = work.resolve("authorized_keys");
    Files.copy(work.resolve("user_key.pub"), authorized);
    Files.createDirectories(Path.of("/run/sshd"));
    int port = freePort();
    processes.add(
        new ProcessBuilder(
                "/usr/sbin/sshd",
                "-D",
                "-e",
                "-f",
                "/dev/null",
                "-p",
                String.valueOf(port),
                "-o",
                "ListenAddress=127.0.0.1",
                "-o",
                "HostKey=" + hostKey,
                "-o",
                "AuthorizedKeysFile=" + authorized,
                "-o",
                "StrictModes=no",
                "-o",
                "UsePAM=no",
                "-o",
                "PasswordAuthentication=no",
                "-o",
                "KbdInteractiveAuthentication=no",
                "-o",
                "PermitRootLogin=prohibit-password",
                "-o",
                "PidFile=none")
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("sshd.log").toFile())
            .start());
    Path agent = work.resolve("agent.sock");
    processes.add(
        new ProcessBuilder("ssh-agent", "-D", "-a", agent.toString())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("agent.log").toFile())
            .start());
    awaitPort(port);
    for (int i = 0; i < 100 && !Files.exists(agent); i++) {
      Thread.sleep(50);
    }
    ProcessBuilder add =
        new ProcessBuilder("ssh-add", userKey.toString()).redirectErrorStream(true);
    add.environment().put("SSH_AUTH_SOCK", agent.toString());
    Process a = add.start();
    a.getInputStream().readAllBytes();
    assertEquals(0, a.waitFor());

    String url = "ssh://root@127.0.0.1:" + port + servers.base.resolve("viassh.git") + "#main";
    Path ctx = Files.createDirectories(work.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nADD " + url + " /s\n");

    CorpusCases.Outcome none =
        CorpusCases.jbuild("--root", root.toString(), "build", ctx.toString());
    assertNotEquals(0, none.exit());
    assertTrue(none.err().contains("--ssh default"), none.err());

    Path out = work.resolve("out");
    CorpusCases.Outcome o =
        CorpusCases.jbuild(
            "--root",
            root.toString(),
            "build",
            "--ssh",
            "default=" + agent,
            "-o",
            "type=local,dest=" + out,
            ctx.toString());
    assertEquals(0, o.exit(), o.err() + "\nsshd: " + Files.readString(work.resolve("sshd.log")));
    assertEquals("over ssh\n", Files.readString(out.resolve("s/f.txt")));
  }
}
