package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.AsUser;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The RUN environment a build's options give, with real runc, as root and rootless ({@link
 * AsUser#WITH_RANGES} through the launcher): {@code --allow security.insecure} with {@code RUN
 * --security=insecure} (every capability, a tmpfs mount works, nothing masked, /sys writable) and
 * its refusal without the entitlement, {@code --add-host} (host-gateway included), {@code
 * --ulimit}, {@code --shm-size}, {@code RUN --mount=type=cache,from=STAGE,source=PATH} seeding, and
 * {@code --no-cache-filter}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunEnvironmentIT {
  static final String PROBE =
      """
      FROM busybox AS seed
      RUN mkdir -p /seed/sub && echo seeded > /seed/sub/file

      FROM busybox
      RUN --security=insecure grep CapEff /proc/self/status > /insecure.txt \\
       && mkdir /m && mount -t tmpfs none /m && echo mounted >> /insecure.txt && umount /m \\
       && rmdir /m \\
       && echo "masked=$(awk '$5=="/proc/timer_list"' /proc/self/mountinfo | wc -l)" >> /insecure.txt \\
       && echo "sys=$(awk '$5=="/sys"{split($6,o,",");print o[1]}' /proc/self/mountinfo)" \\
          >> /insecure.txt
      RUN --security=sandbox grep CapEff /proc/self/status > /sandbox.txt \\
       && if mount -t tmpfs none /mnt 2>/dev/null; then echo mounted; else echo refused; fi \\
          >> /sandbox.txt \\
       && echo "masked=$(awk '$5=="/proc/timer_list"' /proc/self/mountinfo | wc -l)" >> /sandbox.txt \\
       && echo "sys=$(awk '$5=="/sys"{split($6,o,",");print o[1]}' /proc/self/mountinfo)" \\
          >> /sandbox.txt
      RUN cp /etc/hosts /hosts.txt && cp /proc/self/limits /limits.txt \\
       && df -k /dev/shm | awk 'NR==2{print $2}' > /shm.txt
      RUN --mount=type=cache,target=/cache,from=seed,source=/seed \\
          cat /cache/sub/file > /seeded.txt && echo more > /cache/more
      RUN --mount=type=cache,target=/cache,from=seed,source=/seed ls /cache > /listing.txt
      """;

  static final String[] OPTIONS = {
    "--allow",
    "security.insecure",
    "--add-host",
    "myhost:10.1.2.3",
    "--add-host",
    "gw:host-gateway",
    "--ulimit",
    "nofile=1024:2048",
    "--ulimit",
    "nproc=3000:4000",
    "--shm-size",
    "128m"
  };

  Path work;
  Path store;
  AsUser user;
  Path userWork;
  Path userStore;
  int contexts;

  @BeforeAll
  void stores() throws IOException {
    work = Files.createTempDirectory("jbuild-runenv");
    store = work.resolve("store");
    try (Store s = Store.open(store)) {
      TestImages.busybox(s, "busybox:latest");
    }
    user = AsUser.of(AsUser.WITH_RANGES);
    userWork = user.workDir("jbuild-runenv");
    Path tar = userWork.resolve("busybox.tar");
    CorpusCases.Outcome saved =
        CorpusCases.jbuild("--root", store.toString(), "save", "-o", tar.toString(), "busybox");
    assertEquals(0, saved.exit(), saved.err());
    user.chownTree(tar);
    userStore = userWork.resolve("store");
    AsUser.Result loaded =
        user.jbuild("--root", userStore.toString(), "load", "-i", tar.toString());
    assertEquals(0, loaded.exit(), loaded.toString());
  }

  @AfterAll
  void cleanup() throws IOException {
    if (user != null) {
      user.stopPauseProcess();
    }
    for (Path p : new Path[] {userWork, work}) {
      if (p != null) {
        CorpusCases.deleteTree(p);
      }
    }
  }

  /** How a build and a run happen: in this JVM as root, or by the launcher as the user. */
  interface Mode {
    CorpusCases.Outcome jbuild(List<String> args) throws IOException;

    Path contexts();
  }

  private Mode root() {
    return new Mode() {
      @Override
      public CorpusCases.Outcome jbuild(List<String> args) {
        List<String> all = new ArrayList<>(List.of("--root", store.toString()));
        all.addAll(args);
        return CorpusCases.jbuild(all.toArray(String[]::new));
      }

      @Override
      public Path contexts() {
        return work;
      }
    };
  }

  private Mode rootless() {
    return new Mode() {
      @Override
      public CorpusCases.Outcome jbuild(List<String> args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--root", userStore.toString()));
        all.addAll(args);
        AsUser.Result r = user.jbuild(Duration.ofMinutes(10), all.toArray(String[]::new));
        return new CorpusCases.Outcome(r.exit(), r.out(), r.err());
      }

      @Override
      public Path contexts() {
        return userWork;
      }
    };
  }

  private Path context(Mode mode, String dockerfile) throws IOException {
    Path ctx = mode.contexts().resolve("ctx-" + ++contexts);
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    if (mode.contexts().equals(userWork)) {
      user.chownTree(ctx);
    }
    return ctx;
  }

  private CorpusCases.Outcome build(Mode mode, String tag, String dockerfile, String... options)
      throws IOException {
    List<String> args = new ArrayList<>(List.of("build", "--progress", "plain", "-t", tag));
    args.addAll(List.of(options));
    args.add(context(mode, dockerfile).toString());
    return mode.jbuild(args);
  }

  private static String cat(Mode mode, String tag, String path) throws IOException {
    CorpusCases.Outcome o = mode.jbuild(List.of("run", "--rm", tag, "cat", path));
    assertEquals(0, o.exit(), "cat " + path + ": " + o.err());
    return o.out();
  }

  private static String ownCapEff() throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith("CapEff:")) {
        return l.substring(7).strip();
      }
    }
    throw new AssertionError("no CapEff");
  }

  /** Every capability the kernel has (what jbuild has in its own user namespace, rootless). */
  private static String allCapabilities() throws IOException {
    int last =
        Integer.parseInt(
            Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).get(0).strip());
    return String.format("%016x", (1L << (last + 1)) - 1);
  }

  private void probe(Mode mode, String tag, String gateway, String capEff) throws IOException {
    CorpusCases.Outcome built = build(mode, tag, PROBE, OPTIONS);
    assertEquals(0, built.exit(), built.err());
    assertEquals(
        "CapEff:\t" + capEff + "\nmounted\nmasked=0\nsys=rw\n",
        cat(mode, tag, "/insecure.txt"),
        "RUN --security=insecure");
    assertEquals(
        "CapEff:\t00000000a80425fb\nrefused\nmasked=1\nsys=ro\n",
        cat(mode, tag, "/sandbox.txt"),
        "RUN --security=sandbox (Docker's defaults)");
    String hosts = cat(mode, tag, "/hosts.txt");
    assertTrue(
        hosts.endsWith("\n10.1.2.3\tmyhost\n" + gateway + "\tgw\n"),
        "--add-host lines after Docker's:\n" + hosts);
    String limits = cat(mode, tag, "/limits.txt");
    assertLimit(limits, "Max open files", "1024", "2048");
    assertLimit(limits, "Max processes", "3000", "4000");
    assertEquals("131072\n", cat(mode, tag, "/shm.txt"), "--shm-size 128m: df -k /dev/shm");
    assertEquals("seeded\n", cat(mode, tag, "/seeded.txt"), "cache mount from=seed");
    assertEquals("more\nsub\n", cat(mode, tag, "/listing.txt"), "the seeded cache persists");
  }

  private static void assertLimit(String limits, String name, String soft, String hard) {
    Matcher m = Pattern.compile(name + "\\s+(\\S+)\\s+(\\S+)").matcher(limits);
    assertTrue(m.find(), name + " in\n" + limits);
    assertEquals(soft + " " + hard, m.group(1) + " " + m.group(2), name);
  }

  @Test
  void buildOptionsShapeTheRunSandboxAsRoot() throws IOException {
    // jbuild's own capabilities (those of this JVM: the machine may withhold some from root)
    probe(root(), "probe:root", "10.0.2.2", ownCapEff());
  }

  @Test
  void buildOptionsShapeTheRunSandboxRootless() throws IOException {
    probe(rootless(), "probe:rootless", "10.0.2.2", allCapabilities());
  }

  @Test
  void insecureNeedsTheEntitlement() throws IOException {
    for (Mode mode : List.of(root(), rootless())) {
      CorpusCases.Outcome o =
          build(mode, "refused:1", "FROM busybox\nRUN --security=insecure true\n");
      assertEquals(1, o.exit(), o.err());
      assertTrue(o.err().contains("security.insecure is not allowed"), o.err());
    }
  }

  @Test
  void noCacheFilterRerunsOnlyTheNamedStagesRunSteps() throws IOException {
    String dockerfile =
        """
        FROM busybox AS a
        RUN cat /proc/sys/kernel/random/uuid > /id
        FROM busybox AS b
        RUN cat /proc/sys/kernel/random/uuid > /id && echo b >> /id
        FROM busybox
        COPY --from=a /id /a-id
        COPY --from=b /id /b-id
        """;
    Mode mode = root();
    assertEquals(0, build(mode, "ncf:1", dockerfile).exit());
    String a1 = cat(mode, "ncf:1", "/a-id");
    String b1 = cat(mode, "ncf:1", "/b-id");
    CorpusCases.Outcome again = build(mode, "ncf:2", dockerfile, "--no-cache-filter", "A");
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.err().contains("--no-cache-filter"), again.err());
    assertNotEquals(a1, cat(mode, "ncf:2", "/a-id"), "stage a's RUN ran again");
    assertEquals(b1, cat(mode, "ncf:2", "/b-id"), "stage b's RUN came from the cache");
    // a later build without the filter takes stage a as the filtered build left it, and what
    // reads it must agree: never the COPY made from the first build's /id
    String a2 = cat(mode, "ncf:2", "/a-id");
    CorpusCases.Outcome plain = build(mode, "ncf:3", dockerfile);
    assertEquals(0, plain.exit(), plain.err());
    assertEquals(a2, cat(mode, "ncf:3", "/a-id"), plain.err());
    assertEquals(b1, cat(mode, "ncf:3", "/b-id"));
    // and nothing ran again: the reader's record of the filtered build is the one reused
    assertTrue(
        !Pattern.compile("\\] (RUN|COPY) .* DONE", Pattern.MULTILINE).matcher(plain.err()).find(),
        plain.err());
  }
}
