package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.Skopeo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 13, the build side: {@code --platform linux/amd64,linux/arm64} on the two-platform busybox
 * of a local registry ({@link LocalRegistry#serveBusyboxMulti}), RUN under QEMU user mode (the
 * qemu-aarch64 binfmt_misc handler {@code .ci/setup} enables), checked with skopeo and umoci.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiPlatformIT {
  private LocalRegistry registry;
  private Path work;
  private String prefix;

  @BeforeAll
  void serveBases() throws IOException {
    work = Files.createTempDirectory("jbuild-multiplatform");
    registry = LocalRegistry.start();
    prefix = registry.serveBusyboxMulti(work);
  }

  @AfterAll
  void stop() throws IOException {
    registry.close();
    CorpusCases.deleteTree(work);
  }

  private CorpusCases.Outcome jbuild(Path root, String... args) {
    List<String> all = new ArrayList<>(List.of("--root", root.toString()));
    all.addAll(List.of(args));
    return CorpusCases.jbuild(all.toArray(String[]::new));
  }

  private Path context(String name, String dockerfile) throws IOException {
    Path ctx = Files.createDirectories(work.resolve(name));
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile.replace("BASE/", prefix));
    return ctx;
  }

  /** A native tool stage shared by both platforms, then a RUN per platform under emulation. */
  private static final String CROSS =
      """
      FROM --platform=$BUILDPLATFORM BASE/busybox-multi:latest AS tools
      RUN echo native-$((40+2))-ran && uname -m > /build-arch
      FROM BASE/busybox-multi:latest
      ARG TARGETPLATFORM TARGETOS TARGETARCH TARGETVARIANT BUILDPLATFORM BUILDOS BUILDARCH
      COPY --from=tools /build-arch /build-arch
      RUN uname -m > /arch && echo "$TARGETPLATFORM $TARGETOS $TARGETARCH [$TARGETVARIANT] $BUILDPLATFORM $BUILDOS $BUILDARCH" > /args
      """;

  @Test
  void twoPlatformsGiveOneIndexWhoseImagesRanOnTheirArchitectures() throws Exception {
    Path root = work.resolve("store-cross");
    Path ctx = context("cross", CROSS);
    CorpusCases.Outcome o =
        jbuild(
            root,
            "build",
            "--progress",
            "plain",
            "--platform",
            "linux/amd64,linux/arm64",
            "-t",
            "cross:1",
            ctx.toString());
    assertEquals(0, o.exit(), o.err());
    // the $BUILDPLATFORM stage ran once, natively, for both targets
    assertEquals(1, count(o.err(), "native-42-ran"), o.err());

    JsonObject index = Json.parseObject(skopeo("inspect", "--raw", "oci:" + root + ":cross:1"));
    assertEquals(MediaTypes.OCI_INDEX, index.string("mediaType"));
    var manifests = index.array("manifests").elements();
    assertEquals(2, manifests.size(), index.toString());
    assertEquals("amd64", platformOf(manifests.get(0)).string("architecture"));
    assertEquals("arm64", platformOf(manifests.get(1)).string("architecture"));
    for (var m : manifests) {
      assertEquals("linux", platformOf(m).string("os"));
      assertEquals(MediaTypes.OCI_MANIFEST, ((JsonObject) m).string("mediaType"));
    }

    for (String[] c :
        List.of(
            new String[] {"amd64", "x86_64", "linux/amd64 linux amd64 []"},
            new String[] {"arm64", "aarch64", "linux/arm64 linux arm64 []"})) {
      String arch = c[0];
      JsonObject config =
          Json.parseObject(
              skopeo("inspect", "--config", "--override-arch", arch, "oci:" + root + ":cross:1"));
      assertEquals(arch, config.string("architecture"));
      // one platform out of the index with skopeo, unpacked by umoci
      Path layout = work.resolve("layout-" + arch);
      skopeo("copy", "--override-arch", arch, "oci:" + root + ":cross:1", "oci:" + layout + ":one");
      Path bundle = work.resolve("bundle-" + arch);
      run("umoci", "unpack", "--image", layout + ":one", bundle.toString());
      Path rootfs = bundle.resolve("rootfs");
      assertEquals(c[1] + "\n", Files.readString(rootfs.resolve("arch")), arch);
      assertEquals("x86_64\n", Files.readString(rootfs.resolve("build-arch")), arch);
      assertEquals(
          c[2] + " linux/amd64 linux amd64\n", Files.readString(rootfs.resolve("args")), arch);
    }

    // the index in the store is a base for each of its platforms, and only for those
    Path next = context("from-index", "FROM cross:1\nRUN cat /arch > /base-arch\n");
    o = jbuild(root, "build", "--platform", "linux/arm64", "-t", "next:1", next.toString());
    assertEquals(0, o.exit(), o.err());
    JsonObject config = Json.parseObject(skopeo("inspect", "--config", "oci:" + root + ":next:1"));
    assertEquals("arm64", config.string("architecture"));
    o = jbuild(root, "build", "--platform", "linux/s390x", next.toString());
    assertNotEquals(0, o.exit());
    assertTrue(
        o.err()
            .contains(
                "image cross:1 has no variant for platform linux/s390x (it has: linux/amd64, linux/arm64)"),
        o.err());
  }

  @Test
  void sourceDateEpochGivesOneIndexDigestWhateverTheSpelling() throws Exception {
    Path ctx = context("epoch", CROSS);
    CorpusCases.Outcome a =
        jbuild(
            work.resolve("store-epoch-a"),
            "build",
            "-q",
            "--build-arg",
            "SOURCE_DATE_EPOCH=1700000000",
            "--platform",
            "linux/amd64,linux/arm64",
            "-t",
            "e:1",
            ctx.toString());
    assertEquals(0, a.exit(), a.err());
    CorpusCases.Outcome b =
        jbuild(
            work.resolve("store-epoch-b"),
            "build",
            "-q",
            "--build-arg",
            "SOURCE_DATE_EPOCH=1700000000",
            "--platform",
            "linux/amd64",
            "--platform",
            "linux/arm64",
            "-t",
            "e:1",
            ctx.toString());
    assertEquals(0, b.exit(), b.err());
    String digest = a.out().strip();
    assertTrue(digest.matches("sha256:[0-9a-f]{64}"), a.out());
    assertEquals(digest, b.out().strip());
    // -q prints the index digest: the manifest skopeo reads under the tag
    String raw = skopeo("inspect", "--raw", "oci:" + work.resolve("store-epoch-a") + ":e:1");
    assertEquals(
        digest,
        "sha256:"
            + java.util.HexFormat.of()
                .formatHex(
                    java.security.MessageDigest.getInstance("SHA-256")
                        .digest(raw.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void theRegistryCacheOfATwoPlatformBuildServesBothPlatforms() throws Exception {
    Path ctx = context("cached", CROSS);
    // mode=max: the native tools stage's steps too (mode=min, the default, has the final stage's)
    String cacheFrom = "type=registry,ref=" + registry.host() + "/cache/cross:ci";
    String cache = cacheFrom + ",mode=max";
    CorpusCases.Outcome a =
        jbuild(
            work.resolve("store-cache-a"),
            "build",
            "-q",
            "--platform",
            "linux/amd64,linux/arm64",
            "--cache-to",
            cache,
            "-t",
            "c:1",
            ctx.toString());
    assertEquals(0, a.exit(), a.err());
    Path rootB = work.resolve("store-cache-b");
    CorpusCases.Outcome b =
        jbuild(
            rootB,
            "build",
            "--progress",
            "plain",
            "--platform",
            "linux/amd64,linux/arm64",
            "--cache-from",
            cacheFrom,
            "-t",
            "c:1",
            ctx.toString());
    assertEquals(0, b.exit(), b.err());
    // every step came from the cache, each platform its own RUN
    assertEquals(0, count(b.err(), "native-42-ran"), b.err());
    assertEquals(2, count(b.err(), "RUN uname -m > /arch"), b.err());
    assertTrue(
        b.err().lines().filter(l -> l.contains("RUN uname -m")).allMatch(l -> l.endsWith("CACHED")),
        b.err());
    // the same images (configs: image IDs); the manifests differ only in the layers' compression
    // (the cache holds them gzipped)
    for (String arch : List.of("amd64", "arm64")) {
      assertEquals(
          skopeo(
              "inspect",
              "--config",
              "--override-arch",
              arch,
              "oci:" + work.resolve("store-cache-a") + ":c:1"),
          skopeo("inspect", "--config", "--override-arch", arch, "oci:" + rootB + ":c:1"),
          arch);
    }
  }

  @Test
  void aBaseWithoutTheTargetPlatformIsAnErrorNamingItsPlatforms() throws Exception {
    Path ctx = context("amd64-only", "FROM BASE/busybox:latest\nRUN true\n");
    CorpusCases.Outcome o =
        jbuild(work.resolve("store-wrong"), "build", "--platform", "linux/arm64", ctx.toString());
    assertNotEquals(0, o.exit());
    assertTrue(
        o.err().contains("has no variant for platform linux/arm64 (it has: linux/amd64)"), o.err());

    Path multi = context("multi-s390x", "FROM BASE/busybox-multi:latest\nRUN true\n");
    o = jbuild(work.resolve("store-wrong"), "build", "--platform", "linux/s390x", multi.toString());
    assertNotEquals(0, o.exit());
    assertTrue(
        o.err()
            .contains("has no variant for platform linux/s390x (it has: linux/amd64, linux/arm64)"),
        o.err());

    // FROM --platform asks for a platform too
    Path staged =
        context("from-platform", "FROM --platform=linux/arm64 BASE/busybox:latest\nRUN true\n");
    o = jbuild(work.resolve("store-wrong"), "build", staged.toString());
    assertNotEquals(0, o.exit());
    assertTrue(o.err().contains("(it has: linux/amd64)"), o.err());
  }

  @Test
  void aSinglePlatformBaseOfAnotherPlatformIsUsedWhenNoPlatformIsAsked() throws Exception {
    Path ctx = context("arm64-only", "FROM BASE/busybox-arm64:latest\nRUN uname -m > /arch\n");
    Path root = work.resolve("store-arm64-only");
    CorpusCases.Outcome o = jbuild(root, "build", "-t", "a:1", ctx.toString());
    assertEquals(0, o.exit(), o.err());
    assertTrue(
        o.err().contains("warning: image " + prefix + "busybox-arm64:latest is for linux/arm64"),
        o.err());
    JsonObject config = Json.parseObject(skopeo("inspect", "--config", "oci:" + root + ":a:1"));
    assertEquals("arm64", config.string("architecture"));
  }

  @Test
  void aRunForAPlatformWithoutHandlerIsAClearError() throws Exception {
    // no binfmt_misc handler can run wasm (not ELF): the step says so before starting anything
    Path ctx = context("wasm", "FROM scratch\nRUN true\n");
    CorpusCases.Outcome o =
        jbuild(work.resolve("store-wasm"), "build", "--platform", "wasip1/wasm", ctx.toString());
    assertNotEquals(0, o.exit());
    assertTrue(
        o.err()
            .contains(
                "cannot run a wasip1/wasm binary on this "
                    + dev.jbuild.layercache.model.Platform.host()
                    + " machine"),
        o.err());
    assertTrue(o.err().contains("apt-get install qemu-user-static binfmt-support"), o.err());
  }

  @Test
  void systemInfoListsTheEmulatedPlatforms() {
    CorpusCases.Outcome o = jbuild(work.resolve("store-info"), "system", "info");
    assertEquals(0, o.exit(), o.err());
    String line =
        o.out().lines().filter(l -> l.startsWith("Platforms:")).findFirst().orElse(o.out());
    assertTrue(line.contains("linux/amd64"), line);
    assertTrue(line.contains("linux/arm64"), line);
  }

  private static JsonObject platformOf(Object descriptor) {
    return ((JsonObject) descriptor).object("platform");
  }

  private static int count(String text, String word) {
    int n = 0;
    for (int i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
      n++;
    }
    return n;
  }

  private static String skopeo(String... args) {
    return Skopeo.run(List.of(args));
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ":\n" + out);
    return out;
  }
}
