package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The tests run as root on the host (CI): auto is root mode, rootless needs the launcher. */
class IsolationTest {
  @AfterEach
  void reset() throws RunnerException {
    Isolation.select("auto");
  }

  @Test
  void autoOnTheHostAsRootIsRootMode() throws RunnerException {
    assertEquals(Isolation.ROOT, Isolation.select("auto"));
    assertEquals(Isolation.ROOT, Isolation.select(null));
    assertEquals(Isolation.ROOT, Isolation.current());
  }

  @Test
  void rootlessOutsideTheNamespaceSaysWhy() {
    RunnerException e = assertThrows(RunnerException.class, () -> Isolation.select("rootless"));
    assertTrue(e.getMessage().contains("not inside its user namespace"), e.getMessage());
    assertEquals(RunnerErrors.CANNOT_CREATE, e.exitCode());
  }

  @Test
  void chrootCanBeForcedByRoot() throws RunnerException {
    assertEquals(Isolation.CHROOT, Isolation.select("chroot"));
    assertEquals(Isolation.CHROOT, Isolation.current());
  }

  @Test
  void unknownModesAreRefused() {
    RunnerException e = assertThrows(RunnerException.class, () -> Isolation.select("vm"));
    assertTrue(e.getMessage().contains("use auto, root, rootless or chroot"), e.getMessage());
  }
}
