package dev.jbuild.builder.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.tar.LayerReader;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/** The SBOM's scanners on layer tars made here, hostile ones included. */
class PackageScanTest {
  private static final String STATUS =
      """
      Package: bash
      Status: install ok installed
      Architecture: amd64
      Version: 5.2.15-2+b2
      Description: GNU Bourne Again SHell
       continuation line: Version: 9

      Package: gone
      Status: deinstall ok config-files
      Version: 1.0

      Package: libc6
      Status: install ok installed
      Architecture: amd64
      Version: 2.36-9+deb12u4
      """;

  private static final String OS_RELEASE = "ID=debian\nVERSION_ID=\"12\"\n";

  /** The entries of a layer, written in the writer's canonical order. */
  static final class Entries {
    final java.util.TreeMap<List<String>, Object[]> all =
        new java.util.TreeMap<>(
            (a, b) -> {
              for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                int c =
                    java.util.Arrays.compareUnsigned(
                        a.get(i).getBytes(StandardCharsets.UTF_8),
                        b.get(i).getBytes(StandardCharsets.UTF_8));
                if (c != 0) {
                  return c;
                }
              }
              return Integer.compare(a.size(), b.size());
            });

    void add(TarEntry e) {
      all.put(List.of(e.name().split("/")), new Object[] {e, null});
    }

    void add(TarEntry e, byte[] content) {
      all.put(List.of(e.name().split("/")), new Object[] {e, content});
    }
  }

  /** A layer tar built by {@code body}. */
  interface Body {
    void write(Entries w) throws IOException;
  }

  static byte[] layer(Body body) throws IOException {
    Entries entries = new Entries();
    body.write(entries);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (LayerWriter w = LayerWriter.open(out, LayerWriterOptions.defaults())) {
      for (Object[] e : entries.all.values()) {
        if (e[1] == null) {
          w.add((TarEntry) e[0]);
        } else {
          w.add((TarEntry) e[0], new ByteArrayInputStream((byte[]) e[1]));
        }
      }
      w.finish();
    }
    return out.toByteArray();
  }

  static void file(Entries w, String name, byte[] content) {
    w.add(TarEntry.file(name, content.length), content);
  }

  static void file(Entries w, String name, String content) {
    file(w, name, content.getBytes(StandardCharsets.UTF_8));
  }

  static PackageScan.Result scan(ImageFiles.Limits limits, byte[]... layers) throws IOException {
    List<ImageFiles.LayerSource> sources = new ArrayList<>();
    for (byte[] l : layers) {
      sources.add(() -> LayerReader.open(new ByteArrayInputStream(l)));
    }
    return PackageScan.scan(sources, limits);
  }

  static PackageScan.Result scan(byte[]... layers) throws IOException {
    return scan(ImageFiles.Limits.defaults(), layers);
  }

  static List<String> purls(PackageScan.Result r) {
    return r.packages().stream().map(Pkg::purl).toList();
  }

  @Test
  void dpkgPackagesWithTheDistroOfOsRelease() throws IOException {
    byte[] base =
        layer(
            w -> {
              file(w, "usr/lib/os-release", OS_RELEASE);
              file(w, "var/lib/dpkg/status", STATUS);
              file(w, "var/lib/dpkg/status.d/distroless", "Package: tzdata\nVersion: 2024a-0\n");
              file(w, "var/lib/dpkg/status.d/distroless.md5sums", "Package: nope\nVersion: 1\n");
            });
    assertEquals(
        List.of(
            "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12",
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
            "pkg:deb/debian/tzdata@2024a-0?distro=debian-12"),
        purls(scan(base)));
  }

  @Test
  void apkKeysAreCaseSensitive() throws IOException {
    byte[] l =
        layer(
            w -> {
              file(w, "etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n");
              file(
                  w,
                  "lib/apk/db/installed",
                  "C:Q1abc\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\np:so:libc.musl=1\n\n"
                      + "P:busybox\nV:1.36.1-r15\nA:x86_64\n");
            });
    PackageScan.Result r = scan(l);
    assertEquals(
        List.of(
            "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1",
            "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1"),
        purls(r));
    assertEquals("MIT", r.packages().get(1).license());
  }

  @Test
  void npmPythonAndMavenPackages() throws IOException {
    byte[] jar = jar(0, 1);
    byte[] l =
        layer(
            w -> {
              file(
                  w,
                  "app/node_modules/left-pad/package.json",
                  "{\"name\":\"left-pad\",\"version\":\"1.3.0\",\"license\":\"WTFPL\"}");
              file(
                  w,
                  "app/node_modules/@types/node/package.json",
                  "{\"name\":\"@types/node\",\"version\":\"20.1.0\"}");
              file(
                  w,
                  "app/package-lock.json",
                  "{\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"app\"},"
                      + "\"node_modules/left-pad\":{\"version\":\"1.3.0\"},"
                      + "\"node_modules/a/node_modules/b\":{\"version\":\"2.0.0\"}}}");
              file(
                  w,
                  "usr/lib/python3/dist-packages/Requests_Toolbelt-1.0.0.dist-info/METADATA",
                  "Metadata-Version: 2.1\nName: Requests_Toolbelt\nVersion: 1.0.0\n\nName: body\n");
              file(w, "opt/app.jar", jar);
            });
    assertEquals(
        List.of(
            "pkg:maven/dev.test/level0@1.0",
            "pkg:npm/%40types/node@20.1.0",
            "pkg:npm/b@2.0.0",
            "pkg:npm/left-pad@1.3.0",
            "pkg:pypi/requests-toolbelt@1.0.0"),
        purls(scan(l)));
  }

  @Test
  void upperLayersDeleteAndHideAsOverlayfs() throws IOException {
    byte[] lower =
        layer(
            w -> {
              file(w, "var/lib/dpkg/status", STATUS);
              file(w, "a/node_modules/x/package.json", "{\"name\":\"x\",\"version\":\"1.0.0\"}");
              file(w, "b/node_modules/y/package.json", "{\"name\":\"y\",\"version\":\"1.0.0\"}");
              file(w, "c/node_modules/z/package.json", "{\"name\":\"z\",\"version\":\"1.0.0\"}");
            });
    byte[] upper =
        layer(
            w -> {
              w.add(TarEntry.whiteout("var/lib/dpkg/status", Instant.EPOCH));
              w.add(TarEntry.opaque("a", Instant.EPOCH));
              w.add(TarEntry.symlink("b", "/c")); // a symlink over the directory hides it
              file(w, "c/node_modules/z/package.json", "{\"name\":\"z\",\"version\":\"2.0.0\"}");
            });
    assertEquals(List.of("pkg:npm/z@2.0.0"), purls(scan(lower, upper)));
  }

  @Test
  void symlinksAreNeverFollowed() throws IOException {
    byte[] l =
        layer(
            w -> {
              w.add(TarEntry.symlink("var/lib/dpkg/status", "/etc/shadow"));
              w.add(TarEntry.symlink("app/node_modules/loop", "../node_modules"));
              w.add(TarEntry.symlink("app/node_modules/self", "self"));
              w.add(TarEntry.symlink("lib/apk/db/installed", "installed"));
              w.add(TarEntry.symlink("opt/a.jar", "/opt/a.jar"));
              file(w, "real/node_modules/q/package.json", "{\"name\":\"q\",\"version\":\"1.0.0\"}");
              w.add(
                  TarEntry.hardlink(
                      "app/node_modules/h/package.json", "real/node_modules/q/package.json"));
            });
    assertEquals(List.of("pkg:npm/q@1.0.0"), purls(scan(l)));
  }

  @Test
  void aHugeFileIsSkippedWithANote() throws IOException {
    byte[] big = new byte[PackageScan.MAX_SMALL + 1];
    byte[] l =
        layer(
            w -> {
              file(w, "app/node_modules/big/package.json", big);
              file(
                  w, "app/node_modules/ok/package.json", "{\"name\":\"ok\",\"version\":\"1.0.0\"}");
            });
    PackageScan.Result r = scan(l);
    assertEquals(List.of("pkg:npm/ok@1.0.0"), purls(r));
    assertTrue(
        r.notes().getFirst().startsWith("/app/node_modules/big/package.json: larger than"),
        r.notes().toString());
  }

  @Test
  void theReadBudgetBoundsTheWholeScan() throws IOException {
    byte[] l =
        layer(
            w -> {
              file(w, "var/lib/dpkg/status", STATUS);
              file(
                  w, "app/node_modules/ok/package.json", "{\"name\":\"ok\",\"version\":\"1.0.0\"}");
            });
    PackageScan.Result r = scan(new ImageFiles.Limits(100, 64), l);
    assertEquals(List.of("pkg:npm/ok@1.0.0"), purls(r));
    assertFalse(r.notes().isEmpty());
    PackageScan.Result few = scan(new ImageFiles.Limits(1, 1 << 20), l);
    assertEquals(List.of("pkg:npm/ok@1.0.0"), purls(few)); // the first file in layer order
    assertEquals(List.of("more than 1 package files: the rest not read"), few.notes());
  }

  @Test
  void memoryIsBoundedInKeptBytesAndPackages() throws IOException {
    byte[] l =
        layer(
            w -> {
              file(w, "a/node_modules/one/package.json", "{\"name\":\"one\",\"version\":\"1\"}");
              file(w, "b/node_modules/two/package.json", "{\"name\":\"two\",\"version\":\"1\"}");
              file(w, "var/lib/dpkg/status", STATUS);
            });
    PackageScan.Result r = scan(new ImageFiles.Limits(100, 1 << 20, 10, 1), l);
    assertEquals(List.of("pkg:npm/one@1"), purls(r));
    assertEquals(
        List.of(
            "/b/node_modules/two/package.json: more than 1 packages: not read",
            "/var/lib/dpkg/status: over the 10 bytes kept in memory"),
        r.notes());
  }

  @Test
  void jarsNestedDeeperThanTheLimitAreNotRead() throws IOException {
    byte[] jar = jar(0, 6); // level0 holds level1 ... level5
    byte[] l = layer(w -> file(w, "app.jar", jar));
    assertEquals(
        List.of(
            "pkg:maven/dev.test/level0@1.0",
            "pkg:maven/dev.test/level1@1.0",
            "pkg:maven/dev.test/level2@1.0"),
        purls(scan(l)));
  }

  @Test
  void aJarThatInflatesBeyondTheBudgetIsSkipped() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(b)) {
      z.putNextEntry(new ZipEntry("zeros.bin"));
      z.write(new byte[8 << 20]);
      z.closeEntry();
      z.putNextEntry(new ZipEntry("META-INF/maven/g/a/pom.properties"));
      z.write("groupId=g\nartifactId=a\nversion=1\n".getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    byte[] bomb = b.toByteArray();
    assertTrue(bomb.length < 1 << 20);
    byte[] l = layer(w -> file(w, "bomb.jar", bomb));
    PackageScan.Result r = scan(new ImageFiles.Limits(100, 2 << 20), l);
    assertEquals(List.of(), purls(r));
    assertTrue(
        r.notes().getFirst().startsWith("/bomb.jar: over the SBOM's read budget"),
        r.notes().toString());
    assertEquals(List.of("pkg:maven/g/a@1"), purls(scan(l)));
  }

  @Test
  void garbageAndDeeplyNestedLockfilesGiveNoPackages() throws IOException {
    String deep =
        "{\"dependencies\":"
            + "{\"d\":{\"version\":\"1.0.0\",\"dependencies\":".repeat(200)
            + "{}"
            + "}}".repeat(200)
            + "}";
    String nested40 =
        "{\"dependencies\":"
            + "{\"d\":{\"version\":\"1.0.0\",\"dependencies\":".repeat(40)
            + "{}"
            + "}}".repeat(40)
            + "}";
    byte[] l =
        layer(
            w -> {
              file(w, "a/package-lock.json", deep);
              file(w, "b/package-lock.json", nested40);
              file(w, "c/package-lock.json", "\u0000\u00ff not json");
              file(
                  w,
                  "x/node_modules/evil/package.json",
                  "{\"name\":\"../../etc\",\"version\":\"1\"}");
              file(w, "var/lib/dpkg/status", new byte[] {(byte) 0xff, '\n', ':', '\n'});
              file(w, "bad.jar", "PK not a zip");
            });
    PackageScan.Result r = scan(l);
    assertEquals(List.of("pkg:npm/d@1.0.0"), purls(r)); // one package, however deep
    assertEquals(List.of(), r.notes()); // unreadable files are simply not package files
  }

  @Test
  void purlSegmentsArePercentEncoded() {
    assertEquals(
        "pkg:docker/127.0.0.1%3A5000/lab/debian@12?platform=linux%2Famd64",
        Provenance.imagePurl(
            "127.0.0.1:5000/lab/debian:12",
            dev.jbuild.layercache.model.Platform.parse("linux/amd64")));
    assertEquals(
        "pkg:docker/debian@bookworm?platform=linux%2Farm%2Fv7",
        Provenance.imagePurl(
            "debian:bookworm", dev.jbuild.layercache.model.Platform.parse("linux/arm/v7")));
  }

  /**
   * A jar holding level{@code from}'s pom.properties and a jar of the next levels, up to {@code
   * to}.
   */
  static byte[] jar(int from, int to) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(b)) {
      z.putNextEntry(new ZipEntry("META-INF/maven/dev.test/level" + from + "/pom.properties"));
      z.write(
          ("groupId=dev.test\nartifactId=level" + from + "\nversion=1.0\n")
              .getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
      if (from + 1 < to) {
        z.putNextEntry(new ZipEntry("BOOT-INF/lib/level" + (from + 1) + ".jar"));
        z.write(jar(from + 1, to));
        z.closeEntry();
      }
    }
    return b.toByteArray();
  }
}
