package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.Capabilities;
import dev.jbuild.runner.SeccompProfile;
import dev.jbuild.testing.DefaultSecurityContainer;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chroot isolation end to end: jbuild inside a container with Docker's default security (real runc:
 * root, Docker's capabilities without CAP_SYS_ADMIN, Docker's seccomp profile, no user namespace)
 * picks chroot isolation by itself, builds RUN steps, and the image equals the root build of the
 * same Dockerfile file by file and in its config.
 */
class ChrootModeIT {
  private static final String DOCKERFILE =
      """
      FROM busybox AS other
      RUN echo other > /other.txt && rm /bin/cat
      FROM busybox
      COPY --chown=1234:1234 hello.txt /data/hello.txt
      COPY --from=other /other.txt /other.txt
      RUN --mount=type=bind,from=other,target=/o cp /o/other.txt /o2 && test ! -e /o/bin/cat
      RUN rm /bin/uname && chmod 4755 /bin/busybox && chmod 0700 /root
      RUN mkdir -p /work && echo x > /work/f && chown 4321:4321 /work/f && chmod 640 /work/f
      RUN rm -rf /home && mkdir /home && echo y > /home/y
      RUN cat /etc/group > /tmp/g && cat /tmp/g > /etc/group && rm /tmp/g
      RUN ln -s /work/f /work/link && mkfifo /work/fifo && touch -d @0 /work/old
      USER 1000:1000
      RUN mkdir /tmp/u && echo mine > /tmp/u/file && id > /tmp/u/id
      USER root
      RUN --mount=type=cache,target=/cache sh -c 'echo c >> /cache/log; cp /cache/log /cachecopy'
      RUN --mount=type=bind,source=hello.txt,target=/mnt/hello.txt cp /mnt/hello.txt /copied
      RUN --mount=type=tmpfs,target=/scratch sh -c 'echo t > /scratch/t'
      RUN test -c /dev/null && echo dev > /dev/null && cat /etc/hosts > /hosts
      WORKDIR /app/sub
      RUN pwd > /pwd
      CMD ["cat", "/data/hello.txt"]
      """;

  static Path work;
  static Path ctx;
  static Path rootStore;
  static Path chrootStore;
  static DefaultSecurityContainer container;

  @BeforeAll
  static void setUp() throws Exception {
    work = Files.createTempDirectory("jbuild-chroot");
    ctx = Files.createDirectories(work.resolve("ctx"));
    rootStore = work.resolve("root-store");
    chrootStore = work.resolve("chroot-store");
    Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE);
    Files.writeString(ctx.resolve("hello.txt"), "hello\n");
    for (Path s : List.of(rootStore, chrootStore)) {
      try (Store store = Store.open(s)) {
        TestImages.busybox(store, "busybox:latest", TestImages.Options.layers(3));
      }
    }
    forgetUnpackedLayers(chrootStore);
    Path repo = Path.of("").toAbsolutePath().getParent();
    container =
        DefaultSecurityContainer.create(
            work.resolve("container"),
            SeccompProfile.dockerDefault().ociJson(Capabilities.DOCKER_DEFAULT),
            Capabilities.DOCKER_DEFAULT,
            List.of(repo),
            List.of(ctx, chrootStore));
  }

  @AfterAll
  static void tearDown() throws Exception {
    CorpusCases.deleteTree(work);
  }

  private static DefaultSecurityContainer.Result jbuild(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-jar");
    cmd.add(Path.of("target", "jbuild.jar").toAbsolutePath().toString());
    cmd.add("--root");
    cmd.add(chrootStore.toString());
    cmd.addAll(List.of(args));
    return container.exec(ctx, Map.of(), cmd);
  }

  @Test
  void theContainerIsTheKanikoCase() throws Exception {
    DefaultSecurityContainer.Result r =
        container.exec(
            ctx,
            Map.of(),
            List.of(
                "sh",
                "-c",
                "id -u; grep CapEff /proc/self/status; unshare --user true && echo userns-ok;"
                    + " mount -t tmpfs none /mnt && echo mount-ok; true"));
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().split("\n");
    assertEquals("0", lines[0]);
    long capEff = Long.parseUnsignedLong(lines[1].replace("CapEff:", "").strip(), 16);
    assertEquals(0, capEff >>> 21 & 1, "CAP_SYS_ADMIN must be missing: " + r.out());
    assertNotEquals(0, capEff >>> 18 & 1, "CAP_SYS_CHROOT must be there: " + r.out());
    assertFalse(r.out().contains("userns-ok"), r.out());
    assertFalse(r.out().contains("mount-ok"), r.out());
  }

  @Test
  void chrootBuildEqualsRootBuild() throws Exception {
    CorpusCases.Outcome root =
        CorpusCases.jbuild(
            "--root",
            rootStore.toString(),
            "build",
            "--build-arg",
            "SOURCE_DATE_EPOCH=1700000000",
            "-t",
            "app:1",
            ctx.toString());
    assertEquals(0, root.exit(), root.err());

    DefaultSecurityContainer.Result chroot =
        jbuild(
            "build",
            "--progress",
            "plain",
            "--build-arg",
            "SOURCE_DATE_EPOCH=1700000000",
            "-t",
            "app:1",
            ctx.toString());
    assertEquals(0, chroot.exit(), chroot.out() + chroot.err());
    String all = chroot.out() + chroot.err();
    assertTrue(all.contains("WARNING: chroot isolation"), all);
    assertEquals(2, chroot.err().split("WARNING: chroot isolation", -1).length, all);

    List<String> expected = ImageTrees.describe(rootStore, "app:1", work);
    List<String> actual = ImageTrees.describe(chrootStore, "app:1", work);
    assertEquals(String.join("\n", expected), String.join("\n", actual));
    assertTrue(
        actual.stream().anyMatch(l -> l.startsWith("/work/f file 640 4321:4321")),
        actual.toString());
    assertTrue(
        actual.stream().anyMatch(l -> l.startsWith("/data/hello.txt file 644 1234:1234")),
        actual.toString());
    assertTrue(
        actual.stream().anyMatch(l -> l.startsWith("/tmp/u/file file 644 1000:1000")),
        actual.toString());
    assertTrue(actual.stream().noneMatch(l -> l.startsWith("/bin/uname ")), actual.toString());
    assertTrue(actual.stream().noneMatch(l -> l.startsWith("/scratch/t")), actual.toString());
    assertTrue(actual.stream().noneMatch(l -> l.startsWith("/dev/null")), actual.toString());
  }

  @Test
  void chrootBuildReusingItsRootEqualsRootBuild() throws Exception {
    // without SOURCE_DATE_EPOCH each step goes on from the previous step's copied root
    CorpusCases.Outcome root =
        CorpusCases.jbuild("--root", rootStore.toString(), "build", "-t", "app:2", ctx.toString());
    assertEquals(0, root.exit(), root.err());
    DefaultSecurityContainer.Result chroot = jbuild("build", "-t", "app:2", ctx.toString());
    assertEquals(0, chroot.exit(), chroot.out() + chroot.err());
    List<String> expected = ImageTrees.describe(rootStore, "app:2", work);
    List<String> actual = ImageTrees.describe(chrootStore, "app:2", work);
    // the files are the same; the layer digests differ (the steps ran at other times)
    assertEquals(
        String.join("\n", expected.subList(0, expected.size() - 1)),
        String.join("\n", actual.subList(0, actual.size() - 1)));
  }

  @Test
  void runIsRefused() throws Exception {
    forgetUnpackedLayers(chrootStore);
    try (Store store = Store.open(chrootStore)) {
      TestImages.busybox(store, "runme:1");
    }
    forgetUnpackedLayers(chrootStore);
    DefaultSecurityContainer.Result r = jbuild("run", "--rm", "runme:1", "true");
    assertEquals(125, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("jbuild run is not possible with chroot isolation"), r.err());
  }

  /**
   * The store is seeded by root on the host, whose unpacked layers keep the opaque flag in
   * trusted.* attributes, which root without CAP_SYS_ADMIN can neither read nor write: they go, and
   * jbuild unpacks them again from the blobs inside the container (user.* attributes), as a CI job
   * with a fresh store does.
   */
  private static void forgetUnpackedLayers(Path store) throws IOException {
    CorpusCases.deleteTree(store.resolve("l"));
    Files.deleteIfExists(store.resolve("l.xattrs"));
  }
}
