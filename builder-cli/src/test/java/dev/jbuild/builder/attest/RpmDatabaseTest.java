package dev.jbuild.builder.attest;

import static dev.jbuild.builder.attest.PackageScanTest.file;
import static dev.jbuild.builder.attest.PackageScanTest.layer;
import static dev.jbuild.builder.attest.PackageScanTest.purls;
import static dev.jbuild.builder.attest.PackageScanTest.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rpm's SQLite database read without SQLite: real databases written by Debian's rpm 4.18 (the
 * {@code rpm} package, installed by {@code .ci/setup}) with packages built here by rpmbuild, among
 * them one whose header spills onto overflow pages; and hostile bytes, which give a note.
 */
class RpmDatabaseTest {
  @TempDir static Path dir;

  static byte[] small;
  static byte[] big;

  @BeforeAll
  static void databases() throws Exception {
    Path rpms = dir.resolve("rpms");
    build(rpms, "hello-jbuild", "1.2.3", "4", "0", "MIT", 1);
    build(rpms, "epoch-pkg", "2.0", "1.fc40", "3", "GPL-2.0-or-later", 1);
    // many files: a header of tens of kilobytes, far over a 4 KiB page
    build(rpms, "many-files", "0.9", "7", "0", "Apache-2.0", 600);
    small = install(dir.resolve("root-small"), List.of(rpms.resolve("hello-jbuild.rpm")));
    big =
        install(
            dir.resolve("root-big"),
            List.of(
                rpms.resolve("hello-jbuild.rpm"),
                rpms.resolve("epoch-pkg.rpm"),
                rpms.resolve("many-files.rpm")));
  }

  private static void build(
      Path out,
      String name,
      String version,
      String release,
      String epoch,
      String license,
      int files)
      throws Exception {
    Path top = dir.resolve("top-" + name);
    Files.createDirectories(top.resolve("SPECS"));
    StringBuilder install = new StringBuilder("mkdir -p %{buildroot}/opt/" + name + "\n");
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < files; i++) {
      String f = "/opt/" + name + "/file-with-a-rather-long-name-number-" + i;
      install.append("echo ").append(i).append(" > %{buildroot}").append(f).append('\n');
      list.append(f).append('\n');
    }
    String spec =
        "Name: "
            + name
            + "\nVersion: "
            + version
            + "\nRelease: "
            + release
            + (epoch.equals("0") ? "" : "\nEpoch: " + epoch)
            + "\nSummary: test\nLicense: "
            + license
            + "\nBuildArch: noarch\n%description\ntest\n%install\n"
            + install
            + "%files\n"
            + list;
    Files.writeString(top.resolve("SPECS/p.spec"), spec);
    run("rpmbuild", "--define", "_topdir " + top, "-bb", top.resolve("SPECS/p.spec").toString());
    Files.createDirectories(out);
    try (var s = Files.walk(top.resolve("RPMS"))) {
      Path rpm = s.filter(p -> p.toString().endsWith(".rpm")).findFirst().orElseThrow();
      Files.copy(rpm, out.resolve(name + ".rpm"));
    }
  }

  private static byte[] install(Path root, List<Path> rpms) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("rpm", "--root", root.toString()));
    cmd.addAll(List.of("--dbpath", "/var/lib/rpm", "--nodeps", "-i"));
    rpms.forEach(p -> cmd.add(p.toString()));
    run(cmd.toArray(String[]::new));
    return Files.readAllBytes(root.resolve("var/lib/rpm/rpmdb.sqlite"));
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
  }

  @Test
  void packagesOfARealDatabaseWithTheirEpochUpstreamAndDistro() throws IOException {
    byte[] l =
        layer(
            w -> {
              file(w, "etc/os-release", "ID=fedora\nVERSION_ID=40\n");
              file(w, "usr/lib/sysimage/rpm/rpmdb.sqlite", big);
            });
    PackageScan.Result r = scan(l);
    assertEquals(
        List.of(
            "pkg:rpm/fedora/epoch-pkg@2.0-1.fc40?arch=noarch&epoch=3"
                + "&upstream=epoch-pkg-2.0-1.fc40.src.rpm&distro=fedora-40",
            "pkg:rpm/fedora/hello-jbuild@1.2.3-4?arch=noarch"
                + "&upstream=hello-jbuild-1.2.3-4.src.rpm&distro=fedora-40",
            "pkg:rpm/fedora/many-files@0.9-7?arch=noarch"
                + "&upstream=many-files-0.9-7.src.rpm&distro=fedora-40"),
        purls(r),
        r.notes().toString());
    assertEquals(
        "GPL-2.0-or-later",
        r.packages().stream()
            .filter(p -> p.name().equals("epoch-pkg"))
            .findFirst()
            .orElseThrow()
            .license());
  }

  @Test
  void theOldLocationAndTheBerkeleyFormatGetANote() throws IOException {
    byte[] l =
        layer(
            w -> {
              file(w, "var/lib/rpm/rpmdb.sqlite", small);
              file(w, "var/lib/rpm/Packages", "berkeley");
            });
    PackageScan.Result r = scan(l);
    assertEquals(
        List.of(
            "pkg:rpm/redhat/hello-jbuild@1.2.3-4?arch=noarch&upstream=hello-jbuild-1.2.3-4.src.rpm"),
        purls(r));
    assertTrue(r.notes().stream().anyMatch(n -> n.contains("Berkeley DB")), r.notes().toString());
  }

  @Test
  void hostileBytesGiveANoteNeverAnException() throws IOException {
    Random random = new Random(42);
    for (int round = 0; round < 300; round++) {
      byte[] db = big.clone();
      int flips = 1 + random.nextInt(40);
      for (int i = 0; i < flips; i++) {
        // the pages past the header: b-tree headers, cell pointers, varints, overflow chains
        db[100 + random.nextInt(db.length - 100)] = (byte) random.nextInt(256);
      }
      if (round % 10 == 0) {
        db = java.util.Arrays.copyOf(db, random.nextInt(db.length));
      }
      try {
        RpmDatabase.packages(db, null, "/x", DistroPackages.Distro.UNKNOWN);
      } catch (RpmDatabase.Malformed expected) {
        // a note
      }
    }
    assertThrows(
        RpmDatabase.Malformed.class,
        () -> RpmDatabase.packages(new byte[200], null, "/x", DistroPackages.Distro.UNKNOWN));
    PackageScan.Result r =
        scan(layer(w -> file(w, "var/lib/rpm/rpmdb.sqlite", "SQLite format 3\0garbage")));
    assertEquals(List.of(), purls(r));
    assertTrue(r.notes().stream().anyMatch(n -> n.contains("not read")), r.notes().toString());
  }

  @Test
  void aPageLoopEndsTheWalk() throws Exception {
    byte[] db = big.clone();
    int pageSize = ((db[16] & 0xff) << 8) | (db[17] & 0xff);
    // make page 1's (sqlite_master) first interior or leaf child point back at page 1: find an
    // interior table page and aim its right-most pointer at itself
    boolean changed = false;
    for (int n = 1; n * pageSize <= db.length && !changed; n++) {
      int h = (n - 1) * pageSize + (n == 1 ? 100 : 0);
      if (db[h] == 5) {
        db[h + 8] = (byte) (n >>> 24);
        db[h + 9] = (byte) (n >>> 16);
        db[h + 10] = (byte) (n >>> 8);
        db[h + 11] = (byte) n;
        changed = true;
      }
    }
    assertTrue(changed, "the database has an interior page");
    assertThrows(
        RpmDatabase.Malformed.class,
        () -> RpmDatabase.packages(db, null, "/x", DistroPackages.Distro.UNKNOWN));
  }
}
