package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store root is created 0700 and an existing one that others can reach is refused. */
class StorePermissionsTest {
  @TempDir Path tmp;

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void aFreshStoreAndEveryDirectoryInItArePrivate() throws IOException {
    Path root = tmp.resolve("a/b/store");
    try (Store s = Store.open(root)) {
      s.stagingDir();
      assertEquals("rwx------", mode(root));
      for (String d : List.of("blobs", "blobs/sha256", "tmp", "l", "layerdb", "cache", "gcroots")) {
        assertEquals("rwx------", mode(root.resolve(d)), d);
      }
      assertEquals("rwx------", mode(s.stagingDir()));
    }
  }

  @Test
  void aFreshStoreIsPrivateWhateverTheUmaskLets() throws IOException {
    // createDirectory's mode is narrowed by the umask, never widened; the chmod makes it exact
    Path root = tmp.resolve("store");
    StorePermissions.prepareRoot(root);
    assertEquals("rwx------", mode(root));
  }

  @Test
  void anExistingStoreOthersCanTraverseIsRefusedWithTheFix() throws IOException {
    for (String perms : List.of("rwxr-xr-x", "rwx--x--x", "rwxr-x---", "rwx-----x")) {
      Path root = Files.createDirectories(tmp.resolve("s-" + perms));
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString(perms));
      StorePermissionException e =
          assertThrows(StorePermissionException.class, () -> Store.open(root));
      assertEquals(
          "the store "
              + root
              + " is open to other users (mode "
              + String.format(
                  "%04o",
                  Files.getAttribute(root, "unix:mode") instanceof Integer m ? m & 07777 : -1)
              + "): setuid programs and device nodes in its image layers would be usable by"
              + " them; make it private with: chmod 700 "
              + root,
          e.getMessage());
      assertEquals(perms, mode(root), "jbuild does not change it");
      assertEquals(List.of(), Files.list(root).toList(), "and writes nothing into it");
    }
  }

  @Test
  void anExistingPrivateStoreOpens() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("store"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
    try (Store s = Store.open(root)) {
      s.images().list();
    }
    try (Store s = Store.open(root)) {
      s.images().list();
    }
  }

  @Test
  void aStoreOfAnotherUserIsRefused() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("store"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
    Files.setAttribute(root, "unix:uid", 65534);
    StorePermissionException e =
        assertThrows(StorePermissionException.class, () -> Store.open(root));
    int me = StorePermissions.effectiveUid();
    assertEquals(
        "the store "
            + root
            + " belongs to uid 65534, not to the user running jbuild (uid "
            + me
            + "): use a store of your own (--root) or run: chown "
            + me
            + " "
            + root,
        e.getMessage());
  }

  @Test
  void aFileIsNotAStore() throws IOException {
    Path root = Files.writeString(tmp.resolve("store"), "x");
    StorePermissionException e =
        assertThrows(StorePermissionException.class, () -> Store.open(root));
    assertEquals("the store " + root + " is not a directory", e.getMessage());
  }

  @Test
  void theEffectiveUidIsTheProcesses() throws IOException {
    assertEquals(dev.jbuild.layercache.fs.Posix.geteuid(), StorePermissions.effectiveUid());
  }
}
