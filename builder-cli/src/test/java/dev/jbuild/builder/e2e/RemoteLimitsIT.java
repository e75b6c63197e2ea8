package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.copy.AddSources;
import dev.jbuild.builder.remote.GitAccess;
import dev.jbuild.builder.remote.GitFetcher;
import dev.jbuild.builder.remote.GitRef;
import dev.jbuild.layercache.registry.RegistryConfig;
import dev.jbuild.testing.LoopbackHttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Remote sources are bounded and their transports checked: a git pack or checkout past the byte
 * bound, a download past it, plain http to a host that is neither loopback nor insecure.
 */
class RemoteLimitsIT {
  Path work;
  GitServers servers;

  @BeforeEach
  void setUp() throws IOException {
    work = Files.createTempDirectory("jbuild-remote-limits");
    servers = new GitServers(Files.createDirectories(work.resolve("repos")));
  }

  @AfterEach
  void tearDown() throws IOException {
    servers.close();
    CorpusCases.deleteTree(work);
  }

  private static GitAccess access(long max) throws IOException {
    return new GitAccess(
        id -> Optional.empty(), Optional.empty(), RegistryConfig.load(Map.of()), max);
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(42).nextBytes(b);
    return b;
  }

  @Test
  void aGitSourcePastTheBoundFailsNamingIt() throws Exception {
    Path src = servers.newRepo("big");
    Files.write(src.resolve("big.bin"), random(200_000));
    GitServers.commitAndPush(src, "big");
    GitRef ref = ((GitRef.Git) GitRef.parse(servers.gitUrl("big"))).ref();
    GitFetcher.Resolved r = GitFetcher.resolve(ref, "", access(10_000));
    Path temp = Files.createDirectories(work.resolve("tmp"));
    IOException e =
        assertThrows(
            IOException.class,
            () -> GitFetcher.checkout(r, access(10_000), temp, Instant.EPOCH, false));
    assertTrue(e.getMessage().contains("larger than 10000 bytes"), e.getMessage());
    try (var s = Files.list(temp)) {
      assertTrue(s.allMatch(p -> p.toFile().list().length == 0), "no fetched data is left behind");
    }
    // within the bound the same source is fetched
    Path ok = GitFetcher.checkout(r, access(1_000_000), temp, Instant.EPOCH, false);
    assertTrue(Files.size(ok.resolve("big.bin")) == 200_000);
  }

  @Test
  void aTreeWithADotGitEntryIsRefused() throws Exception {
    Path src = servers.newRepo("evil");
    String blob = GitServers.gitWithInput(src, "evil\n", "hash-object", "-w", "--stdin");
    // git mktree writes what it is given: a ".git" entry a real git refuses to check out
    Path list = work.resolve("tree.txt");
    Files.writeString(list, "100644 blob " + blob + "\t.git\n100644 blob " + blob + "\tok.txt\n");
    String tree = GitServers.gitWithInput(src, Files.readString(list), "mktree");
    String commit = GitServers.gitWithInput(src, "", "commit-tree", tree, "-m", "evil");
    GitServers.git(src, "update-ref", "refs/heads/main", commit);
    GitServers.git(src, "push", "-q", "-f", "origin", "main");
    GitRef ref = ((GitRef.Git) GitRef.parse(servers.gitUrl("evil"))).ref();
    GitFetcher.Resolved r = GitFetcher.resolve(ref, "", access(1_000_000));
    Path temp = Files.createDirectories(work.resolve("tmp"));
    IOException e =
        assertThrows(
            IOException.class,
            () -> GitFetcher.checkout(r, access(1_000_000), temp, Instant.EPOCH, false));
    assertTrue(e.getMessage().startsWith("git source git://127.0.0.1:"), e.getMessage());
  }

  @Test
  void aDownloadPastTheBoundFails() throws Exception {
    byte[] body = random(100_000);
    try (LoopbackHttpServer http =
        LoopbackHttpServer.start(
            "/",
            ex -> {
              ex.sendResponseHeaders(200, body.length);
              try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
              }
              ex.close();
            })) {
      Path dir = Files.createDirectories(work.resolve("dl"));
      IOException e =
          assertThrows(
              IOException.class,
              () -> AddSources.fetch("http://" + http.host() + "/f", dir, Optional.empty(), 1000));
      assertTrue(e.getMessage().contains("larger than 1000 bytes"), e.getMessage());
      try (var s = Files.list(dir)) {
        assertTrue(s.findAny().isEmpty(), "the partial download is deleted");
      }
    }
  }

  @Test
  void plainHttpOnlyToLoopbackOrInsecureHosts() {
    GitRef ref = ((GitRef.Git) GitRef.parse("http://example.invalid/r.git")).ref();
    IOException e =
        assertThrows(IOException.class, () -> GitFetcher.resolve(ref, "", access(1000)));
    assertTrue(e.getMessage().contains("plain http to example.invalid is refused"), e.getMessage());
  }
}
