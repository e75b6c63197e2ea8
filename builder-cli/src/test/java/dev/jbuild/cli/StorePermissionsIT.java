package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.InProcessCli.Result;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 4 of issue 10 (the class of moby's CVE-2021-41091): image layers unpacked in the store
 * hold setuid-root programs and 0666 device nodes, so no other local user may reach the store. As
 * root, an image is built whose layers (a COPY layer and a RUN layer), cache mount and running
 * container hold a setuid-root copy of busybox and of id(1) and a 0666 char device 1:3; user {@code
 * nobody} can execute none of them and open neither device, while the same files in a
 * world-traversable directory give nobody euid 0 (the control: the check can see the attack).
 * Builds, RUN as a non-root user and {@code jbuild run} keep working with the private store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StorePermissionsIT {
  @TempDir static Path tmp;
  Path base;
  Path root;
  Path ctx;
  String container;

  Result jbuild(String... args) {
    return InProcessCli.run(root, args);
  }

  /**
   * Runs {@code argv} as nobody:nogroup with no supplementary groups. setpriv keeps root's
   * capabilities until its own execve (so that execve would pass through any directory): a shell
   * runs first, without capabilities, and it runs {@code argv}.
   */
  static Result asNobody(String... argv) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "/bin/sh",
                "-c",
                "\"$@\"",
                "sh"));
    cmd.addAll(List.of(argv));
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), out, err);
  }

  static void sh(String script) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sh", "-ec", script).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), script + ":\n" + out);
  }

  @BeforeAll
  void buildAndStart() throws Exception {
    // a parent every user can traverse, as /var/lib is for /var/lib/jbuild
    base = tmp.resolve("base");
    Files.createDirectories(base);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    root = base.resolve("store");
    ctx = Files.createDirectories(base.resolve("ctx"));
    try (Store s = Store.open(root)) {
      TestImages.busybox(s, "busybox");
    }
    sh(
        "cp /bin/busybox '"
            + ctx
            + "/busybox-suid'; cp /usr/bin/id '"
            + ctx
            + "/id-suid'; chmod 4755 '"
            + ctx
            + "/busybox-suid' '"
            + ctx
            + "/id-suid'");
    Files.writeString(
        ctx.resolve("Dockerfile"),
        """
        FROM busybox
        COPY busybox-suid id-suid /opt/
        RUN cp -p /opt/busybox-suid /bin/busybox-suid && mknod -m 666 /null-dev c 1 3
        RUN --mount=type=cache,target=/cache cp -p /opt/id-suid /cache/ && mknod -m 666 /cache/null-dev c 1 3
        USER nobody
        RUN id -u > /tmp/uid
        """);
    Result b = jbuild("build", "--progress", "plain", "-t", "victim", ctx.toString());
    assertEquals(0, b.exit(), b.err());
    Result d = jbuild("run", "-d", "--name", "victim-c", "victim", "sleep", "300");
    assertEquals(0, d.exit(), d.err());
    container = d.out().strip();
  }

  @AfterAll
  void stop() {
    jbuild("rm", "-f", "victim-c");
  }

  /** Every setuid-root file and every char/block device (not a 0/0 whiteout) in the store. */
  List<Path> dangerous() throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        Stat st = Posix.lstat(p);
        int type = st.mode() & Stat.S_IFMT;
        boolean setuidRoot = type == Stat.S_IFREG && (st.mode() & 04000) != 0 && st.uid() == 0;
        boolean device =
            (type == Stat.S_IFCHR || type == Stat.S_IFBLK)
                && (st.rdevMajor() != 0 || st.rdevMinor() != 0);
        if (setuidRoot || device) {
          out.add(p);
        }
      }
    }
    return out;
  }

  @Test
  void nobodyCanRunNoSetuidFileAndOpenNoDeviceOfTheStore() throws Exception {
    List<Path> found = dangerous();
    List<String> rel = found.stream().map(p -> root.relativize(p).toString()).toList();
    // where unpacked layers, cache mounts and containers keep them: all of them found
    for (String expected :
        List.of(
            "l/[0-9a-f]{12}/opt/id-suid", // COPY layer, built by TreeBuilder
            "l/[0-9a-f]{12}/opt/busybox-suid",
            "l/[0-9a-f]{12}/bin/busybox-suid", // RUN layer, adopted upper dir
            "l/[0-9a-f]{12}/null-dev",
            "cachemounts/[0-9a-f]+/id-suid",
            "cachemounts/[0-9a-f]+/null-dev",
            "containers/" + container + "/rootfs/bin/busybox-suid",
            "containers/" + container + "/rootfs/opt/id-suid",
            "containers/" + container + "/rootfs/null-dev")) {
      assertTrue(rel.stream().anyMatch(r -> r.matches(expected)), expected + " in " + rel);
    }
    for (Path p : found) {
      Stat st = Posix.lstat(p);
      Result r =
          (st.mode() & Stat.S_IFMT) == Stat.S_IFREG
              ? asNobody(p.toString())
              : asNobody("head", "-c", "1", p.toString());
      assertNotEquals(0, r.exit(), p + ": " + r);
      assertTrue(r.err().contains("Permission denied"), p + ": " + r.err());
      assertFalse(r.out().contains("euid=0"), p + ": " + r.out());
    }
    Result ls = asNobody("ls", root.toString());
    assertNotEquals(0, ls.exit());
    assertTrue(ls.err().contains("Permission denied"), ls.err());
  }

  @Test
  void theSameFilesWhereNobodyCanReachThemGiveRoot() throws Exception {
    // the control: the check above would see the attack if the store were reachable
    Path open = Files.createDirectories(base.resolve("exposed"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path id =
        dangerous().stream()
            .filter(p -> root.relativize(p).toString().matches("l/[0-9a-f]{12}/opt/id-suid"))
            .findFirst()
            .orElseThrow();
    sh("cp -p '" + id + "' '" + open + "/id-suid'; mknod -m 666 '" + open + "/null-dev' c 1 3");
    Result r = asNobody(open.resolve("id-suid").toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("uid=65534(nobody)") && r.out().contains("euid=0(root)"), r.out());
    Result dev = asNobody("head", "-c", "1", open.resolve("null-dev").toString());
    assertEquals(0, dev.exit(), dev.toString());
  }

  @Test
  void everyDirectoryJbuildMadeInTheStoreIsPrivate() throws IOException {
    assertEquals("rwx------", mode(root));
    try (Stream<Path> top = Files.list(root)) {
      for (Path d : top.filter(Files::isDirectory).toList()) {
        assertEquals("rwx------", mode(d), d.toString());
        String name = d.getFileName().toString();
        if (List.of("l", "cachemounts", "runc").contains(name)) {
          continue; // layer trees and cache directories carry the image's or the mount's modes
        }
        try (Stream<Path> below = Files.list(d)) {
          for (Path e : below.toList()) {
            if (Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
              assertEquals("rwx------", mode(e), e.toString());
            }
          }
        }
      }
    }
  }

  @Test
  void runAsNonRootUsersStillWorks() {
    Result r =
        jbuild("run", "--rm", "--user", "nobody", "victim", "sh", "-c", "id -u; cat /tmp/uid");
    assertEquals(0, r.exit(), r.err());
    assertEquals("65534\n65534\n", r.out());
  }

  @Test
  void aStoreMadeReachableIsRefusedUntilItIsPrivateAgain() throws IOException {
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    try {
      Result r = jbuild("images");
      assertNotEquals(0, r.exit());
      assertEquals(
          "jbuild: the store "
              + root
              + " is open to other users (mode 0755): setuid programs and device nodes in its"
              + " image layers would be usable by them; make it private with: chmod 700 "
              + root
              + "\n",
          r.err());
      assertEquals("rwxr-xr-x", mode(root), "jbuild does not chmod a store it did not create so");
    } finally {
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
    }
    Result ok = jbuild("images");
    assertEquals(0, ok.exit(), ok.err());
  }

  @Test
  void aFreshRootDirectoryIsCreatedPrivate() throws IOException {
    Path fresh = base.resolve("fresh/store");
    Result r = InProcessCli.run(fresh, "images");
    assertEquals(0, r.exit(), r.err());
    assertEquals("rwx------", mode(fresh));
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }
}
