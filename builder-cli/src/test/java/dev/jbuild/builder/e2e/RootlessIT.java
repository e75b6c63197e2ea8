package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.AsUser;
import dev.jbuild.testing.HostServer;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 11, the asks one by one, as an ordinary user ({@link AsUser#WITH_RANGES}: subordinate
 * ranges 200000:65536) running the {@code ./jbuild} launcher: apt-get install from Debian's mirror
 * in a RUN, {@code COPY --chown}, {@code RUN chown}, a cache mount reused by a second build, {@code
 * jbuild run --rm}, the private network and {@code --network host} (the user's own network), layer
 * tars with container-side ids while the store on disk holds the namespace's view (subordinate
 * ids), a store the user cannot {@code rm -rf} but can {@code jbuild system reset}; and a user
 * without ranges ({@link AsUser#WITHOUT_RANGES}) whose builds work until a step needs another id,
 * which fails naming /etc/subuid.
 *
 * <p>The user's stores are made by the user ({@code jbuild load} of bases saved from a root store).
 * This (root) JVM reads an image by loading the user's {@code jbuild save} of it into a store of
 * its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RootlessIT {
  /**
   * Where jbuild-test's subordinate range starts (.ci/setup): container uid N > 0 is this + N-1.
   */
  static final long SUBORDINATE_BASE = 200000;

  AsUser user;
  AsUser norange;
  Path work;
  Path userWork;
  Path norangeWork;
  Path rootStore;
  Path checkStore;
  Path busyboxTar;
  Path debianTar;
  Path store;
  int contexts;

  @BeforeAll
  void stores() throws IOException {
    user = AsUser.of(AsUser.WITH_RANGES);
    norange = AsUser.of(AsUser.WITHOUT_RANGES);
    work = Files.createTempDirectory("jbuild-rootless");
    rootStore = work.resolve("root-store");
    checkStore = work.resolve("check-store");
    try (Store s = Store.open(rootStore)) {
      TestImages.busybox(s, "busybox:latest");
      TestImages.debian(s, "debian:bookworm-slim");
    }
    userWork = user.workDir("jbuild-rootless");
    norangeWork = norange.workDir("jbuild-rootless-norange");
    busyboxTar = save("busybox:latest", userWork.resolve("busybox.tar"));
    debianTar = save("debian:bookworm-slim", userWork.resolve("debian.tar"));
    Files.copy(busyboxTar, norangeWork.resolve("busybox.tar"));
    norange.chownTree(norangeWork.resolve("busybox.tar"));
    store = userWork.resolve("store");
    ok(user, "--root", store.toString(), "load", "-i", busyboxTar.toString());
    ok(user, "--root", store.toString(), "load", "-i", debianTar.toString());
  }

  @AfterAll
  void cleanup() throws IOException {
    for (AsUser u : new AsUser[] {user, norange}) {
      if (u != null) {
        u.stopPauseProcess();
      }
    }
    for (Path p : new Path[] {userWork, norangeWork, work}) {
      if (p != null) {
        CorpusCases.deleteTree(p);
      }
    }
  }

  private Path save(String ref, Path archive) throws IOException {
    CorpusCases.Outcome o =
        CorpusCases.jbuild("--root", rootStore.toString(), "save", "-o", archive.toString(), ref);
    assertEquals(0, o.exit(), o.err());
    user.chownTree(archive);
    return archive;
  }

  private static AsUser.Result ok(AsUser u, String... args) throws IOException {
    AsUser.Result r = u.jbuild(Duration.ofMinutes(10), args);
    assertEquals(0, r.exit(), "jbuild " + String.join(" ", args) + " as " + u.name() + ": " + r);
    return r;
  }

  /** {@code jbuild run --rm ARGS} as the user, on the user's store; it must succeed. */
  private AsUser.Result runRm(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("--root", store.toString(), "run", "--rm"));
    all.addAll(List.of(args));
    return ok(user, all.toArray(String[]::new));
  }

  /**
   * --cap-drop ALL --cap-add SYS_ADMIN and --read-only as an ordinary user: the set is granted over
   * the user's namespace (CapEff is SYS_ADMIN's bit alone), the seccomp filter follows it (mount is
   * allowed), and the root is read-only.
   */
  @Test
  void capabilitiesAndReadOnlyRootAsAnOrdinaryUser() throws IOException {
    AsUser.Result r =
        runRm(
            "--cap-drop",
            "ALL",
            "--cap-add",
            "sys_admin",
            "--read-only",
            "busybox:latest",
            "sh",
            "-c",
            "grep CapEff /proc/self/status; touch /x 2>/dev/null && echo root-rw || echo root-ro;"
                + " mount -t tmpfs none /dev/shm && echo mounted");
    assertEquals("CapEff:\t0000000000200000\nroot-ro\nmounted\n", r.out(), r.toString());
  }

  /** A context owned by {@code u} in its work directory: a Dockerfile and files (name, content). */
  private Path context(AsUser u, Path under, String dockerfile, String... files)
      throws IOException {
    Path ctx = under.resolve("ctx-" + ++contexts);
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    for (int i = 0; i + 1 < files.length; i += 2) {
      Files.writeString(ctx.resolve(files[i]), files[i + 1]);
    }
    u.chownTree(ctx);
    return ctx;
  }

  /** A context of the user without ranges: the Dockerfile and f.txt ("hi"). */
  private Path norangeContext(String dockerfile) throws IOException {
    return context(norange, norangeWork, dockerfile, "f.txt", "hi\n");
  }

  private AsUser.Result build(String tag, String dockerfile, String... extra) throws IOException {
    Path ctx = context(user, userWork, dockerfile, "f.txt", "from the context\n");
    List<String> args = new ArrayList<>(List.of("--root", store.toString(), "build", "-t", tag));
    args.addAll(List.of(extra));
    args.add(ctx.toString());
    return user.jbuild(Duration.ofMinutes(10), args.toArray(String[]::new));
  }

  /**
   * The layer tar entries ({@link ImageTrees#layers}) of image {@code tag} of {@code u}'s store
   * {@code uStore}: saved by {@code u} into {@code dir}, loaded into this JVM's check store.
   */
  private List<String> layerLines(AsUser u, Path uStore, Path dir, String tag) throws IOException {
    Path archive = dir.resolve("image.tar");
    ok(u, "--root", uStore.toString(), "save", "-o", archive.toString(), tag);
    CorpusCases.Outcome o =
        CorpusCases.jbuild("--root", checkStore.toString(), "load", "-i", archive.toString());
    assertEquals(0, o.exit(), o.err());
    Files.delete(archive);
    try (Store s = Store.open(checkStore)) {
      Image image = s.images().image(s.images().resolve(tag).orElseThrow());
      return ImageTrees.layers(s, image);
    }
  }

  private List<String> layerLines(String tag) throws IOException {
    return layerLines(user, store, userWork, tag);
  }

  private static void assertHasLine(List<String> lines, String want) {
    assertTrue(
        lines.stream().anyMatch(l -> l.trim().equals(want)),
        "no \"" + want + "\" in\n" + String.join("\n", lines));
  }

  @Test
  void aptGetInstallFromDebiansMirror() throws IOException {
    AsUser.Result r =
        build(
            "apt:1",
            """
            FROM debian:bookworm-slim
            RUN apt-get update && apt-get install -y --no-install-recommends hello \
                && rm -rf /var/lib/apt/lists/*
            RUN hello > /hello.txt
            """);
    assertEquals(0, r.exit(), r.toString());
    AsUser.Result run = runRm("apt:1", "cat", "/hello.txt");
    assertEquals("Hello, world!\n", run.out());
    List<String> layers = layerLines("apt:1");
    assertTrue(
        layers.stream().anyMatch(l -> l.matches("\\s*usr/bin/hello FILE 755 0:0 .*")),
        String.join("\n", layers));
  }

  @Test
  void copyChownAndRunChownGiveContainerSideIdsInLayersAndSubordinateIdsOnDisk()
      throws IOException {
    AsUser.Result r =
        build(
            "owned:1",
            """
            FROM busybox
            COPY --chown=1234:1234 f.txt /copied.txt
            RUN mkdir /made && echo made > /made/x && chown 4321:4321 /made/x /made
            """);
    assertEquals(0, r.exit(), r.toString());
    List<String> layers = layerLines("owned:1");
    assertHasLine(layers, "copied.txt FILE 644 1234:1234 size=17");
    assertHasLine(layers, "made DIR 755 4321:4321 size=0");
    assertHasLine(layers, "made/x FILE 644 4321:4321 size=5");
    // on disk, the store holds the namespace's view: container uid 4321 is subordinate id
    // 200000 + 4320, container root is the user
    assertTrue(ownedOnDisk(store, SUBORDINATE_BASE + 4320), "no file of uid 204320 in " + store);
    assertTrue(ownedOnDisk(store, SUBORDINATE_BASE + 1233), "no file of uid 201233 in " + store);
    assertFalse(ownedOnDisk(store, 4321), "a file of host uid 4321 in " + store);
    AsUser.Result run = runRm("owned:1", "stat", "-c", "%u:%g %n", "/copied.txt", "/made/x");
    assertEquals("1234:1234 /copied.txt\n4321:4321 /made/x\n", run.out());
  }

  private static boolean ownedOnDisk(Path root, long uid) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        Stat st = Posix.lstatOrNull(p);
        if (st != null && st.uid() == uid) {
          return true;
        }
      }
      return false;
    }
  }

  @Test
  void cacheMountIsReusedByTheNextBuild() throws IOException {
    String dockerfile =
        """
        FROM busybox
        ARG N
        RUN --mount=type=cache,target=/cache,id=rootless-it echo "$N" >> /cache/log \
            && chown 1234:1234 /cache/log && cp /cache/log /seen.txt
        """;
    assertEquals(0, build("cache:1", dockerfile, "--build-arg", "N=1").exit());
    AsUser.Result second = build("cache:2", dockerfile, "--build-arg", "N=2");
    assertEquals(0, second.exit(), second.toString());
    AsUser.Result run = runRm("cache:2", "cat", "/seen.txt");
    assertEquals("1\n2\n", run.out());
  }

  @Test
  void detachedContainerLifecycleAndAKilledMonitor() throws Exception {
    String root = store.toString();
    String id =
        ok(
                user,
                "--root",
                root,
                "run",
                "-d",
                "--name",
                "rl",
                "--restart",
                "on-failure",
                "busybox:latest",
                "sh",
                "-c",
                "echo up; sleep 300")
            .out()
            .strip();
    String logs = "";
    for (int i = 0; i < 100 && !logs.equals("up\n"); i++) {
      Thread.sleep(100);
      logs = ok(user, "--root", root, "logs", "rl").out();
    }
    assertEquals("up\n", logs);
    assertEquals("0\n", ok(user, "--root", root, "exec", "rl", "id", "-u").out());
    assertTrue(ok(user, "--root", root, "top", "rl").out().contains("sleep 300"));
    // jbuild cp out of the running container, into the stopped one
    ok(user, "--root", root, "exec", "rl", "sh", "-c", "echo copied > /tmp/s");
    Path out =
        Path.of("/tmp", "jbuild-rl-cp-" + ProcessHandle.current().pid() + "-" + id.substring(0, 8));
    try {
      ok(user, "--root", root, "cp", "rl:/tmp/s", out.toString());
      assertEquals("copied\n", Files.readString(out));
      ok(user, "--root", root, "stop", "-t", "1", "rl");
      assertTrue(ok(user, "--root", root, "ps", "-a").out().contains("Exited (137)"));
      ok(user, "--root", root, "cp", out.toString(), "rl:/tmp/back");
    } finally {
      Files.deleteIfExists(out);
    }
    ok(user, "--root", root, "start", "rl");
    assertEquals("copied\n", ok(user, "--root", root, "exec", "rl", "cat", "/tmp/back").out());
    // the monitor killed: the next command finds it dead and cleans up after it
    Path cdir = store.resolve("containers").resolve(id);
    long monitor = Long.parseLong(Files.readString(cdir.resolve("owner")).strip().split(" ")[0]);
    ProcessHandle.of(monitor).orElseThrow().destroyForcibly();
    ProcessHandle.of(monitor).ifPresent(h -> h.onExit().join());
    Thread.sleep(200);
    assertTrue(ok(user, "--root", root, "ps", "-a").out().contains("Dead"));
    assertFalse(Files.exists(store.resolve("runc").resolve(id)), "runc state deleted");
    ok(user, "--root", root, "rm", "rl");
    assertFalse(Files.exists(cdir));
  }

  @Test
  void runRmRunsAsContainerRootAndLeavesNoContainer() throws IOException {
    AsUser.Result run =
        runRm("busybox:latest", "sh", "-c", "id -u; id -g; echo hi > /tmp/x && cat /tmp/x");
    assertEquals("0\n0\nhi\n", run.out());
    AsUser.Result ps = ok(user, "--root", store.toString(), "ps", "-a", "-q");
    assertEquals("", ps.out().trim());
  }

  @Test
  void privateNetworkByDefaultAndTheUsersOwnWithNetworkHost() throws IOException {
    try (HostServer server = new HostServer()) {
      String probe =
          "if "
              + server.fetch("127.0.0.1")
              + " | grep -q "
              + HostServer.BODY
              + "; then echo reached; else echo private; fi";
      AsUser.Result dflt = runRm("busybox:latest", "sh", "-c", probe);
      assertEquals("private\n", dflt.out(), "the default network reached the host's 127.0.0.1");
      AsUser.Result host = runRm("--network", "host", "busybox:latest", "sh", "-c", probe);
      assertEquals("reached\n", host.out(), "--network host is not the user's network");
      AsUser.Result built =
          build("net:1", "FROM busybox\nRUN " + probe + " > /net.txt\n", "--network", "host");
      assertEquals(0, built.exit(), built.toString());
      AsUser.Result seen = runRm("net:1", "cat", "/net.txt");
      assertEquals("reached\n", seen.out());
      AsUser.Result privateBuild = build("net:2", "FROM busybox\nRUN " + probe + " > /net.txt\n");
      assertEquals(0, privateBuild.exit(), privateBuild.toString());
      AsUser.Result seen2 = runRm("net:2", "cat", "/net.txt");
      assertEquals("private\n", seen2.out());
    }
  }

  @Test
  void volumesPublishedPortsAndUserNetworksAsAnOrdinaryUser() throws Exception {
    String root = store.toString();
    ok(user, "--root", root, "volume", "create", "rl-data");
    runRm("-v", "rl-data:/data", "busybox:latest", "sh", "-c", "echo kept > /data/f");
    assertEquals(
        "kept\n", runRm("-v", "rl-data:/data:ro", "busybox:latest", "cat", "/data/f").out());

    int port;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String serve = "echo $0 > /i; exec httpd -f -p 80 -h /";
    ok(
        user,
        "--root",
        root,
        "run",
        "-d",
        "--name",
        "rl-web",
        "-p",
        "127.0.0.1:" + port + ":80",
        "busybox:latest",
        "sh",
        "-c",
        serve,
        "published-rootless");
    ok(user, "--root", root, "network", "create", "rl-net");
    ok(
        user,
        "--root",
        root,
        "run",
        "-d",
        "--name",
        "rl-srv",
        "--network",
        "rl-net",
        "busybox:latest",
        "sh",
        "-c",
        serve,
        "by-name-rootless");
    try {
      String body = null;
      for (int i = 0; i < 100 && body == null; i++) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
          s.setSoTimeout(5000);
          s.getOutputStream()
              .write(
                  "GET /i HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          String resp =
              new String(
                  s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
          if (resp.startsWith("HTTP/1.") && resp.contains("\r\n\r\n")) {
            body = resp.substring(resp.indexOf("\r\n\r\n") + 4);
          }
        } catch (IOException e) {
          Thread.sleep(100);
        }
      }
      assertEquals("published-rootless\n", body);
      AsUser.Result named = null;
      for (int i = 0; i < 30; i++) {
        named =
            user.jbuild(
                Duration.ofMinutes(2),
                "--root",
                root,
                "run",
                "--rm",
                "--network",
                "rl-net",
                "busybox:latest",
                "wget",
                "-qO-",
                "http://rl-srv/i");
        if (named.exit() == 0) {
          break;
        }
        Thread.sleep(200);
      }
      assertEquals("by-name-rootless\n", named.out(), named.toString());
    } finally {
      user.jbuild(Duration.ofMinutes(2), "--root", root, "rm", "-f", "rl-web", "rl-srv");
    }
    ok(user, "--root", root, "network", "rm", "rl-net");
    ok(user, "--root", root, "volume", "rm", "rl-data");
  }

  @Test
  void storeWithSubordinateOwnersCannotBeRemovedWithRmButWithSystemReset() throws IOException {
    Path own = userWork.resolve("reset-store");
    ok(user, "--root", own.toString(), "load", "-i", busyboxTar.toString());
    Path ctx =
        context(user, userWork, "FROM busybox\nRUN mkdir /d && touch /d/f && chown -R 4321 /d\n");
    ok(user, "--root", own.toString(), "build", "-t", "sub:1", ctx.toString());
    AsUser.Result rm =
        user.run(userWork, Duration.ofMinutes(1), List.of("rm", "-rf", own.toString()));
    assertNotEquals(0, rm.exit(), "rm -rf of a store with subordinate owners worked: " + rm);
    assertTrue(rm.err().contains("Permission denied"), rm.toString());
    AsUser.Result reset = ok(user, "--root", own.toString(), "system", "reset", "-f");
    assertTrue(reset.out().contains("removed everything"), reset.toString());
    AsUser.Result rm2 =
        user.run(userWork, Duration.ofMinutes(1), List.of("rm", "-rf", own.toString()));
    assertEquals(0, rm2.exit(), "rm -rf after system reset: " + rm2);
    assertFalse(Files.exists(own));
  }

  @Test
  void userWithoutRangesBuildsUntilAStepNeedsAnotherId() throws IOException {
    Path own = norangeWork.resolve("store");
    ok(
        norange,
        "--root",
        own.toString(),
        "load",
        "-i",
        norangeWork.resolve("busybox.tar").toString());
    Path plain =
        norangeContext(
            "FROM busybox\nCOPY f.txt /f.txt\nRUN cat /f.txt > /g.txt && id -u >> /g.txt\n");
    ok(norange, "--root", own.toString(), "build", "-t", "plain:1", plain.toString());
    AsUser.Result run =
        ok(norange, "--root", own.toString(), "run", "--rm", "plain:1", "cat", "/g.txt");
    assertEquals("hi\n0\n", run.out());

    Path runChown = context(norange, norangeWork, "FROM busybox\nRUN touch /f && chown 1234 /f\n");
    AsUser.Result r = norange.jbuild("--root", own.toString(), "build", runChown.toString());
    assertNotEquals(0, r.exit(), r.toString());
    assertTrue(r.err().contains("/etc/subuid"), "no /etc/subuid in the error: " + r);

    // COPY --chown writes the layer tar with the id itself: fine as the last step (the image is
    // right), but a step on top needs the file on disk, owned by an id the namespace lacks
    Path copyChown = norangeContext("FROM busybox\nCOPY --chown=1234 f.txt /f.txt\nRUN true\n");
    AsUser.Result c = norange.jbuild("--root", own.toString(), "build", copyChown.toString());
    assertNotEquals(0, c.exit(), c.toString());
    assertTrue(c.err().contains("/etc/subuid"), "no /etc/subuid in the error: " + c);
    assertTrue(c.err().contains("uid 1234"), "the error does not name uid 1234: " + c);
    assertTrue(c.err().contains("f.txt"), "the error does not name f.txt: " + c);

    Path copyLast = norangeContext("FROM busybox\nCOPY --chown=1234 f.txt /f.txt\n");
    ok(norange, "--root", own.toString(), "build", "-t", "last:1", copyLast.toString());
    assertHasLine(
        layerLines(norange, own, norangeWork, "last:1"), "f.txt FILE 644 1234:1234 size=3");
  }

  @Test
  void theUsersStoreIsTheUsersOnDisk() throws IOException {
    Stat st = Posix.lstat(store);
    assertEquals(user.uid(), st.uid(), "store owner");
    assertEquals(0700, st.permissions(), "store mode");
    String pid =
        Files.readString(
                Path.of("/tmp", "jbuild-" + user.uid(), "userns.pid"), StandardCharsets.US_ASCII)
            .trim()
            .split("\\s+")[0];
    String map = Files.readString(Path.of("/proc", pid, "uid_map"), StandardCharsets.US_ASCII);
    assertEquals(
        List.of("0 " + user.uid() + " 1", "1 " + SUBORDINATE_BASE + " 65536"),
        map.lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList());
  }
}
