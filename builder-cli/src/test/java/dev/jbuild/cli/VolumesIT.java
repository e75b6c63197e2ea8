package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.InProcessCli.Result;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbuild volume ...}, {@code run -v NAME:/path}, {@code --mount}, VOLUME's anonymous volumes
 * and {@code rm -v}, with real containers (root, runc and overlayfs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VolumesIT {
  @TempDir static Path tmp;
  Path root;

  Result jbuild(String... args) {
    return InProcessCli.run(root, args);
  }

  @BeforeAll
  void images() throws Exception {
    root = tmp.resolve("store");
    try (Store s = Store.open(root)) {
      TestImages.busybox(s, "busybox");
    }
    // an image with content under its VOLUME: owners, modes, a symlink that points at the host's
    // /etc from the image's point of view, a fifo
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        """
        FROM busybox
        RUN mkdir -p /srv/sub && echo from-image > /srv/sub/f && chmod 640 /srv/sub/f \\
         && chown -R 1234:5678 /srv/sub && chmod 750 /srv/sub && chmod 1777 /srv \\
         && ln -s /etc /srv/etc-link && mkfifo /srv/fifo && ln -s /srv /escape
        VOLUME /srv
        """);
    Result r = jbuild("build", "--network", "none", "-q", "-t", "withvol", ctx.toString());
    assertEquals(0, r.exit(), r.err());
  }

  @AfterAll
  void nothingLeftMounted() throws Exception {
    for (Path p : dev.jbuild.runner.Trees.mountsUnder(root)) {
      throw new AssertionError("still mounted: " + p);
    }
  }

  @Test
  void aVolumeWrittenByOneContainerIsReadByTheNext() throws Exception {
    Result r = jbuild("volume", "create", "--label", "team=a", "data");
    assertEquals(0, r.exit(), r.err());
    assertEquals("data\n", r.out());
    r = jbuild("volume", "inspect", "data");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("\"Name\": \"data\""), r.out());
    assertTrue(r.out().contains("\"team\": \"a\""), r.out());
    Path data = root.resolve("volumes/data/_data");
    assertTrue(r.out().contains("\"Mountpoint\": \"" + data + "\""), r.out());

    r =
        jbuild(
            "run",
            "--name",
            "writer",
            "-v",
            "data:/data",
            "busybox",
            "sh",
            "-c",
            "echo kept > /data/f");
    assertEquals(0, r.exit(), r.err());
    r =
        jbuild(
            "run",
            "--rm",
            "-v",
            "data:/data:ro",
            "busybox",
            "sh",
            "-c",
            "cat /data/f; echo x > /data/g");
    assertEquals("kept\n", r.out());
    assertTrue(r.err().contains("Read-only file system"), r.err());
    r =
        jbuild(
            "run",
            "--rm",
            "--mount",
            "type=volume,source=data,target=/d,readonly",
            "busybox",
            "cat",
            "/d/f");
    assertEquals(0, r.exit(), r.err());
    assertEquals("kept\n", r.out());

    r = jbuild("volume", "ls", "--filter", "label=team=a");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().matches("DRIVER +VOLUME NAME\nlocal +data\n"), r.out());

    // in use by a stopped container: refused, even with -f
    r = jbuild("volume", "rm", "data");
    assertEquals(ExitCodes.FAILED, r.exit());
    assertTrue(r.err().contains("volume is in use - [writer]"), r.err());
    assertEquals(ExitCodes.FAILED, jbuild("volume", "rm", "-f", "data").exit());
    assertEquals(ExitCodes.OK, jbuild("volume", "rm", "-f", "never-made").exit());
    assertTrue(jbuild("volume", "ls", "-q", "--filter", "dangling=false").out().contains("data\n"));

    assertEquals(0, jbuild("rm", "-v", "writer").exit()); // a named volume stays
    assertTrue(Files.exists(data.resolve("f")));
    r = jbuild("volume", "rm", "data");
    assertEquals(0, r.exit(), r.err());
    assertFalse(Files.exists(root.resolve("volumes/data")));
    r = jbuild("volume", "inspect", "data");
    assertEquals(ExitCodes.FAILED, r.exit());
    assertEquals("jbuild: no such volume: data\n", r.err());
  }

  @Test
  void aNewVolumeTakesTheImagesContentConfined() throws Exception {
    Result r =
        jbuild(
            "run",
            "--rm",
            "-v",
            "seeded:/srv",
            "withvol",
            "sh",
            "-c",
            "cat /srv/sub/f; echo new > /srv/n");
    assertEquals(0, r.exit(), r.err());
    assertEquals("from-image\n", r.out());
    Path data = root.resolve("volumes/seeded/_data");
    Stat top = Posix.lstat(data);
    assertEquals(01777, top.permissions(), "the volume's root takes the image directory's mode");
    Stat sub = Posix.lstat(data.resolve("sub"));
    assertEquals(1234, sub.uid());
    assertEquals(5678, sub.gid());
    assertEquals(0750, sub.permissions());
    Stat f = Posix.lstat(data.resolve("sub/f"));
    assertEquals(0640, f.permissions());
    assertEquals(1234, f.uid());
    assertTrue(Files.isSymbolicLink(data.resolve("etc-link")), "a symlink stays a symlink");
    assertEquals("/etc", Files.readSymbolicLink(data.resolve("etc-link")).toString());
    assertTrue(Posix.lstat(data.resolve("fifo")).isFifo());

    // not empty any more: no second copy, the container's change is kept
    r = jbuild("run", "--rm", "-v", "seeded:/srv", "withvol", "sh", "-c", "ls /srv; rm /srv/sub/f");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("n\n"), r.out());
    r = jbuild("run", "--rm", "-v", "seeded:/srv", "withvol", "ls", "/srv/sub");
    assertEquals("", r.out());

    // nocopy: an empty volume stays empty
    r = jbuild("run", "--rm", "-v", "bare:/srv:nocopy", "withvol", "ls", "-A", "/srv");
    assertEquals(0, r.exit(), r.err());
    assertEquals("", r.out());

    // the target reached through a symlink of the image resolves inside the image
    r = jbuild("run", "--rm", "-v", "via-link:/escape", "withvol", "cat", "/escape/sub/f");
    assertEquals(0, r.exit(), r.err());
    assertEquals("from-image\n", r.out());
    assertEquals("from-image\n", Files.readString(root.resolve("volumes/via-link/_data/sub/f")));
    for (String v : List.of("seeded", "bare", "via-link")) {
      assertEquals(0, jbuild("volume", "rm", v).exit());
    }
  }

  @Test
  void anonymousVolumesOfVolumeGoWithRmDashVAndRunRm() throws Exception {
    List<String> before = anonymous();
    Result r = jbuild("run", "--name", "anon", "withvol", "sh", "-c", "echo mine > /srv/mine");
    assertEquals(0, r.exit(), r.err());
    List<String> made = anonymous();
    made.removeAll(before);
    assertEquals(1, made.size(), made.toString());
    assertEquals(
        "mine\n",
        Files.readString(root.resolve("volumes").resolve(made.getFirst()).resolve("_data/mine")));
    assertTrue(
        Files.exists(root.resolve("volumes").resolve(made.getFirst()).resolve("_data/sub/f")));
    assertEquals(0, jbuild("rm", "-v", "anon").exit());
    assertEquals(before, anonymous());

    // run --rm, attached and detached; -v /path is anonymous too
    r = jbuild("run", "--rm", "-v", "/other", "withvol", "true");
    assertEquals(0, r.exit(), r.err());
    assertEquals(before, anonymous());
    r = jbuild("run", "--rm", "-d", "withvol", "sleep", "0.2");
    assertEquals(0, r.exit(), r.err());
    String id = r.out().strip();
    for (int i = 0; i < 200 && Files.exists(root.resolve("containers").resolve(id)); i++) {
      Thread.sleep(50);
    }
    assertEquals(before, anonymous(), "the next command removes the detached one's volume");

    // kept by rm without -v; prune removes unused anonymous volumes, -a named ones too
    assertEquals(0, jbuild("run", "--name", "keep", "withvol", "true").exit());
    assertEquals(0, jbuild("rm", "keep").exit());
    assertEquals(before.size() + 1, anonymous().size());
    assertEquals(0, jbuild("volume", "create", "named").exit());
    r = jbuild("system", "df");
    assertTrue(r.out().lines().anyMatch(l -> l.matches("Local Volumes +\\d+ +\\d+ +.*")), r.out());
    r = jbuild("volume", "prune", "-f");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("Deleted Volumes:\n"), r.out());
    assertEquals(List.of(), anonymous());
    assertTrue(jbuild("volume", "ls", "-q").out().contains("named\n"));
    r = jbuild("volume", "prune", "-a", "-f");
    assertTrue(r.out().contains("named\n"), r.out());
    assertFalse(jbuild("volume", "ls", "-q").out().contains("named\n"));
  }

  @Test
  void tmpfsAndBindMountsAndErrors() throws Exception {
    Path host = Files.createDirectories(tmp.resolve("bind"));
    Files.writeString(host.resolve("h"), "host\n");
    Result r =
        jbuild(
            "run",
            "--rm",
            "--mount",
            "type=tmpfs,target=/t,tmpfs-size=1m",
            "--mount",
            "type=bind,source=" + host + ",target=/b,readonly",
            "busybox",
            "sh",
            "-c",
            "grep ' /t ' /proc/mounts; cat /b/h");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("tmpfs /t tmpfs") && r.out().contains("size=1024k"), r.out());
    assertTrue(r.out().endsWith("host\n"), r.out());

    r = jbuild("run", "--rm", "-v", "va:/x", "-v", "vb:/x", "busybox", "true");
    assertEquals(125, r.exit());
    assertTrue(r.err().contains("duplicate mount point: /x"), r.err());
    r = jbuild("run", "--rm", "-v", "./rel:/x", "busybox", "true");
    assertEquals(ExitCodes.USAGE, r.exit());
    r =
        jbuild(
            "run",
            "--rm",
            "--mount",
            "type=bind,source=/nonexistent-jbuild,target=/x",
            "busybox",
            "true");
    assertEquals(ExitCodes.USAGE, r.exit());
    assertTrue(r.err().contains("bind source path does not exist"), r.err());
    r = jbuild("volume", "create", "-");
    assertEquals(ExitCodes.USAGE, r.exit());
  }

  private List<String> anonymous() {
    return new java.util.ArrayList<>(
        jbuild("volume", "ls", "-q").out().lines().filter(l -> l.matches("[0-9a-f]{64}")).toList());
  }
}
