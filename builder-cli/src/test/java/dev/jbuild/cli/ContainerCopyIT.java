package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.InProcessCli.Result;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import dev.jbuild.testing.Victim;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbuild cp} both ways with docker cp's rules, on a running and on a stopped container, into
 * and out of a volume, as tar streams, and against hostile symlinks in the container (real runc).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerCopyIT {
  @TempDir static Path tmp;
  Path root;
  Victim victim;

  Result jbuild(String... args) {
    return InProcessCli.run(root, args);
  }

  void ok(String... args) {
    Result r = jbuild(args);
    assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
  }

  String sh(String container, String script) {
    Result r = jbuild("exec", container, "sh", "-c", script);
    assertEquals(0, r.exit(), script + ": " + r.err());
    return r.out();
  }

  @BeforeAll
  void start() throws Exception {
    root = tmp.resolve("store");
    try (Store s = Store.open(root)) {
      TestImages.busybox(s, "busybox");
    }
    victim = Victim.create();
    for (String name : List.of("run", "stopped")) {
      Result r =
          jbuild("run", "-d", "--name", name, "-v", name + "-vol:/data", "busybox", "sleep", "300");
      assertEquals(0, r.exit(), r.err());
      // hostile links: to the root, to the victim's host path, and a '..' chain up to it
      sh(
          name,
          "ln -s / /etc/x && ln -s "
              + victim
              + " /v && ln -s ../../../../../../.."
              + victim
              + " /up && mkdir -p /srv/d && echo in-ctr > /srv/d/f && chmod 640 /srv/d/f"
              + " && chown 7:8 /srv/d/f && echo vol > /data/v");
    }
    ok("stop", "-t", "1", "stopped");
  }

  @AfterAll
  void remove() throws Exception {
    jbuild("rm", "-f", "run");
    jbuild("rm", "-f", "stopped");
    try {
      for (Path p : dev.jbuild.runner.Trees.mountsUnder(root)) {
        throw new AssertionError("still mounted: " + p);
      }
      victim.assertUntouched();
    } finally {
      victim.close();
    }
  }

  @Test
  void hostToRunningContainerWithDockersRules() throws Exception {
    Path file = Files.writeString(tmp.resolve("hello.txt"), "hello\n");
    Posix.lchown(file, 1234, 1234);
    Posix.chmod(file, 0604);
    Path dir = Files.createDirectories(tmp.resolve("tree/sub"));
    Files.writeString(dir.resolve("leaf"), "leaf\n");

    ok("cp", file.toString(), "run:/tmp/");
    assertEquals(
        "hello\n0:0 604\n", sh("run", "cat /tmp/hello.txt; stat -c '%u:%g %a' /tmp/hello.txt"));
    ok("cp", "-a", file.toString(), "run:/tmp/kept");
    assertEquals("1234:1234\n", sh("run", "stat -c '%u:%g' /tmp/kept"), "-a keeps owners");
    ok("cp", file.toString(), "run:/tmp/kept");
    assertEquals("0:0\n", sh("run", "stat -c '%u:%g' /tmp/kept"));

    String tree = tmp.resolve("tree").toString();
    ok("cp", tree, "run:/new");
    assertEquals("leaf\n", sh("run", "cat /new/sub/leaf"));
    ok("cp", tree, "run:/new");
    assertEquals("leaf\n", sh("run", "cat /new/tree/sub/leaf"));
    ok("cp", tree + "/.", "run:/srv");
    assertEquals("leaf\n", sh("run", "cat /srv/sub/leaf"));

    Result r = jbuild("cp", tree, "run:/tmp/hello.txt");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("cannot copy a directory to a file: run:/tmp/hello.txt"), r.err());
    r = jbuild("cp", file.toString(), "run:/nowhere/x");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("No such container:path: run:/nowhere"), r.err());
    r = jbuild("cp", file.toString(), "run:/nowhere/");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("destination directory run:/nowhere/ does not exist"), r.err());
    r = jbuild("cp", tmp.resolve("absent").toString(), "run:/tmp");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("no such file or directory"), r.err());

    // a path under the volume's mount point lands in the volume
    ok("cp", file.toString(), "run:/data/in-vol");
    assertEquals("hello\n", Files.readString(root.resolve("volumes/run-vol/_data/in-vol")));
  }

  @Test
  void runningContainerToHost() throws Exception {
    Path out = tmp.resolve("out-run");
    Files.createDirectories(out);
    ok("cp", "run:/srv/d", out.toString());
    Path f = out.resolve("d/f");
    assertEquals("in-ctr\n", Files.readString(f));
    assertEquals(0640, Posix.lstat(f).permissions());
    assertEquals(0, Posix.lstat(f).uid(), "owned by the caller without -a");
    ok("cp", "-a", "run:/srv/d/f", out.resolve("kept").toString());
    assertEquals(7, Posix.lstat(out.resolve("kept")).uid(), "-a keeps the container's owner");
    assertEquals(8, Posix.lstat(out.resolve("kept")).gid());
    ok("cp", "run:/data/v", out.resolve("v").toString());
    assertEquals("vol\n", Files.readString(out.resolve("v")), "read from the volume");
    // a symlink is copied as a symlink, -L copies its target
    ok("cp", "run:/etc/x", out.resolve("link").toString());
    assertEquals("/", Files.readSymbolicLink(out.resolve("link")).toString());
    Result r = jbuild("cp", "run:/nothing", out.toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("No such container:path: run:/nothing"), r.err());
    // the kernel's file systems are never read
    r = jbuild("cp", "run:/proc/self/environ", out.resolve("env").toString());
    assertEquals(1, r.exit(), r.err());
    assertFalse(Files.exists(out.resolve("env")));
  }

  @Test
  void tarOutAndIn() throws Exception {
    byte[] tar = stdout(() -> jbuild("cp", "run:/srv/d", "-"));
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        names.add(e.getName() + " " + e.getLongUserId() + ":" + e.getLongGroupId());
      }
    }
    assertEquals(List.of("d/ 0:0", "d/f 7:8"), names);

    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(buf)) {
      byte[] data = "from-tar\n".getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry e = new TarArchiveEntry("t/x");
      e.setSize(data.length);
      e.setIds(55, 66);
      out.putArchiveEntry(e);
      out.write(data);
      out.closeArchiveEntry();
    }
    assertEquals(0, stdin(buf.toByteArray(), () -> jbuild("cp", "-", "run:/tmp")).exit());
    assertEquals("from-tar\n0:0\n", sh("run", "cat /tmp/t/x; stat -c %u:%g /tmp/t/x"));
    assertEquals(0, stdin(buf.toByteArray(), () -> jbuild("cp", "-a", "-", "run:/tmp")).exit());
    assertEquals("55:66\n", sh("run", "stat -c %u:%g /tmp/t/x"));
    Result r = stdin(buf.toByteArray(), () -> jbuild("cp", "-", "run:/tmp/t/x"));
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("must be a directory"), r.err());
  }

  @Test
  void stoppedContainerBothWaysWithItsVolume() throws Exception {
    Path out = tmp.resolve("out-stopped");
    Files.createDirectories(out);
    List<Path> mountsBefore = dev.jbuild.runner.Trees.mountsUnder(root);
    ok("cp", "stopped:/srv/d/f", out.resolve("f").toString());
    assertEquals("in-ctr\n", Files.readString(out.resolve("f")));
    ok("cp", "stopped:/data/v", out.resolve("v").toString());
    assertEquals("vol\n", Files.readString(out.resolve("v")), "the volume, mounted for the copy");
    Path file = Files.writeString(tmp.resolve("into-stopped"), "later\n");
    ok("cp", file.toString(), "stopped:/srv/");
    ok("cp", file.toString(), "stopped:/data/w");
    assertEquals("later\n", Files.readString(root.resolve("volumes/stopped-vol/_data/w")));
    assertEquals(mountsBefore, dev.jbuild.runner.Trees.mountsUnder(root), "no mount left");
    assertTrue(ps("stopped").contains("Exited"), ps("stopped"));
    // what was copied in is there when it runs again
    ok("start", "stopped");
    try {
      assertEquals("later\n", sh("stopped", "cat /srv/into-stopped"));
    } finally {
      ok("stop", "-t", "1", "stopped");
    }
  }

  @Test
  void hostileSymlinksStayInsideTheContainer() throws Exception {
    for (String c : List.of("run", "stopped")) {
      Path out = Files.createDirectories(tmp.resolve("hostile-" + c));
      // reading: the links resolve inside the container, where the victim's path does not exist
      for (String p : List.of("/v/f", "/up/f", "/v/d/g", "/etc/x" + victim + "/f")) {
        Result r = jbuild("cp", c + ":" + p, out.resolve("got").toString());
        assertEquals(1, r.exit(), c + ":" + p + " " + r.err());
        assertTrue(r.err().contains("No such container:path"), r.err());
        assertFalse(Files.exists(out.resolve("got")));
      }
      // /etc/x -> / is the container's root: its /etc/hostname, not the host's
      ok("cp", "-L", c + ":/etc/x/srv/d/f", out.resolve("f").toString());
      assertEquals("in-ctr\n", Files.readString(out.resolve("f")));
      // writing: through the links, into the container's own tree or refused
      Path file = Files.writeString(tmp.resolve("payload"), "payload\n");
      for (String p : List.of("/v/f", "/up/f", "/v/d/g", "/up/newfile")) {
        Result r = jbuild("cp", file.toString(), c + ":" + p);
        assertNotEquals(0, r.exit(), c + ":" + p);
      }
      ok("cp", file.toString(), c + ":/etc/x/tmp/through-x");
      // a tar entry below a symlink of the container is refused, never written through it
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      try (TarArchiveOutputStream tar = new TarArchiveOutputStream(buf)) {
        TarArchiveEntry e = new TarArchiveEntry("v/planted");
        e.setSize(1);
        tar.putArchiveEntry(e);
        tar.write('x');
        tar.closeArchiveEntry();
      }
      Result r = stdin(buf.toByteArray(), () -> jbuild("cp", "-", c + ":/"));
      assertEquals(1, r.exit(), r.err());
      assertTrue(r.err().contains("v is a symlink, not a directory"), r.err());
      victim.assertUntouched();
      assertFalse(Files.exists(Path.of("/tmp/through-x")));
    }
    ok("start", "stopped");
    try {
      assertEquals("payload\n", sh("stopped", "cat /tmp/through-x"));
    } finally {
      ok("stop", "-t", "1", "stopped");
    }
    assertEquals("payload\n", sh("run", "cat /tmp/through-x"));
  }

  private String ps(String name) {
    return jbuild("ps", "-a")
        .out()
        .lines()
        .filter(l -> l.endsWith(" " + name))
        .findFirst()
        .orElse("");
  }

  interface Call {
    Result run() throws Exception;
  }

  private static synchronized byte[] stdout(Call c) throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true));
    try {
      Result r = c.run();
      assertEquals(0, r.exit(), r.err());
    } finally {
      System.setOut(old);
    }
    return buf.toByteArray();
  }

  private static synchronized Result stdin(byte[] data, Call c) throws Exception {
    InputStream old = System.in;
    System.setIn(new ByteArrayInputStream(data));
    try {
      return c.run();
    } finally {
      System.setIn(old);
    }
  }
}
