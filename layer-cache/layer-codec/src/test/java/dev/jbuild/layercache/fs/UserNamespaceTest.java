package dev.jbuild.layercache.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserNamespaceTest {
  private static final UserNamespace SUBUID =
      new UserNamespace(
          List.of(new UserNamespace.Range(0, 1001, 1), new UserNamespace.Range(1, 100000, 65536)),
          List.of(new UserNamespace.Range(0, 1001, 1), new UserNamespace.Range(1, 100000, 65536)),
          false);

  @Test
  void parsesTheKernelsMapFormat(@TempDir Path dir) throws IOException {
    Path map = dir.resolve("uid_map");
    Files.writeString(map, "         0       1001          1\n         1     100000      65536\n");
    assertEquals(
        List.of(new UserNamespace.Range(0, 1001, 1), new UserNamespace.Range(1, 100000, 65536)),
        UserNamespace.parse(map));
  }

  @Test
  void mapsOnlyItsRanges() {
    assertTrue(SUBUID.mapsUid(0));
    assertTrue(SUBUID.mapsUid(65536));
    assertFalse(SUBUID.mapsUid(65537));
    assertTrue(SUBUID.mapsGid(1234));
    assertEquals("0,1-65536", UserNamespace.describe(SUBUID.uids()));
  }

  @Test
  void unmappedIdsNameTheFilesToEdit() {
    String m = SUBUID.unmapped("uid", 70000, "/x/f").getMessage();
    assertTrue(m.startsWith("/x/f: uid 70000 is not mapped"), m);
    assertTrue(m.contains("/etc/subuid and /etc/subgid"), m);
    assertTrue(m.contains("jbuild system migrate"), m);
  }

  @Test
  void theHostsNamespaceKeepsTrustedXattrsAndPlainErrors() {
    // the tests run in the initial namespace (CI runs them as root on the host)
    assertTrue(UserNamespace.current().isInitial());
    assertEquals("trusted.overlay.opaque", UserNamespace.opaqueXattr());
    PosixException e = new PosixException("lchown", "/f", Errno.EINVAL);
    assertSame(e, UserNamespace.chownFailed(e, 70000, 0));
  }
}
