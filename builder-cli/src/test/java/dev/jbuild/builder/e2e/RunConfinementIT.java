package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, findings 2 and 3: what a RUN step plants in its root filesystem never makes jbuild act
 * on the host. A victim directory outside the store is checked before and after each build. The
 * class timeout only turns a hang (the bug of finding 3) into a failure.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RunConfinementIT extends ConfinementFixture {
  RunConfinementIT() {
    super("jbuild-runconf");
  }

  @BeforeEach
  void bindSource() throws IOException {
    Files.writeString(ctx.resolve("f"), "bind source\n");
  }

  /** Mounts whose stubs sit below /X, then the step replaces a parent by {@code link}. */
  private String stubRun(String top, String replace) {
    return "RUN --mount=type=tmpfs,target=/"
        + top
        + victim
        + "/empty --mount=type=bind,source=f,target=/"
        + top
        + victim
        + "/zero sh -c '"
        + replace
        + "'\n";
  }

  @Test
  void mountStubsAreNeverRemovedThroughSymlinksTheStepPlanted() throws IOException {
    assertEquals(Path.of("/tmp"), victim.dir().getParent());
    CorpusCases.Outcome o =
        build(
            "FROM busybox\n"
                + stubRun("a", "mv /a /a.moved && ln -s / /a")
                + stubRun("b", "mv /b /b.moved && ln -s ../../../../../../../../../../../../.. /b")
                + stubRun("c", "mv /c /c.moved && mkdir /c && ln -s /tmp /c/tmp")
                + stubRun("e", "mv /e" + victim + " /e.moved && ln -s " + victim + " /e" + victim)
                + "RUN test -L /a && test -L /b && test -L /c/tmp && test -L /e"
                + victim
                + "\n");
    assertEquals(0, o.exit(), o.err());
    victim.assertUntouched();
  }

  @Test
  void aWorkdirThroughSymlinksIsCreatedInsideTheImage() throws IOException {
    CorpusCases.Outcome o =
        build(
            "FROM busybox\n"
                + "RUN ln -s "
                + victim
                + " /w && ln -s ../../../../../../../.."
                + victim
                + " /w2 && ln -s / /w3\n"
                + "USER 4242:4242\n"
                + "WORKDIR /w/new/deeper\nRUN true\n"
                + "WORKDIR /w2/d/sub\nRUN true\n"
                + "WORKDIR /w3"
                + victim
                + "/empty/x\nRUN true\n"
                + "USER 0\nRUN test -d "
                + victim
                + "/new/deeper && test -d "
                + victim
                + "/d/sub && test \"$(stat -c %u "
                + victim
                + "/new)\" = 4242\n");
    assertEquals(0, o.exit(), o.err());
    victim.assertUntouched();
  }

  @Test
  void anImageWhosePasswdIsAFifoOrDevZeroNeitherHangsNorExhaustsMemory() throws IOException {
    // the step that plants them runs (its user database is still the image's regular files)
    CorpusCases.Outcome o =
        build("FROM busybox\nRUN rm /etc/passwd && mkfifo /etc/passwd\n", "-t", "fifo:1");
    assertEquals(0, o.exit(), o.err());
    o = build("FROM busybox\nRUN rm /etc/group && mknod /etc/group c 1 5\n", "-t", "zero:1");
    assertEquals(0, o.exit(), o.err());

    // the next step and `jbuild run` refuse clearly: runc itself would block on the fifo
    CorpusCases.Outcome fifo = build("FROM fifo:1\nRUN true\n");
    assertNotEquals(0, fifo.exit());
    assertTrue(
        fifo.err()
            .lines()
            .findFirst()
            .orElse("")
            .endsWith(
                "cannot run a container of this image: /etc/passwd is a fifo, not a regular file"),
        fifo.err());
    CorpusCases.Outcome zero = build("FROM zero:1\nUSER 0:0\nRUN true\n");
    assertNotEquals(0, zero.exit());
    assertTrue(
        zero.err().contains("/etc/group is a character device 1:5, not a regular file"),
        zero.err());
    CorpusCases.Outcome run = jbuild("run", "--rm", "fifo:1", "true");
    assertEquals(125, run.exit(), run.err());
    assertTrue(run.err().contains("/etc/passwd is a fifo"), run.err());

    // COPY --chown looks names up as BuildKit does: a file that is not regular counts as absent
    CorpusCases.Outcome chown = build("FROM fifo:1\nCOPY --chown=nobody f /f\n");
    assertNotEquals(0, chown.exit());
    assertTrue(chown.err().contains("no such user: nobody"), chown.err());
    CorpusCases.Outcome numeric = build("FROM zero:1\nCOPY --chown=7:8 f /f\n");
    assertEquals(0, numeric.exit(), numeric.err());
    victim.assertUntouched();
  }

  @Test
  void userFilesThatPointOutsideTheImageAreReadInsideIt() throws IOException {
    Path hostPasswd = work.resolve("passwd");
    Files.writeString(hostPasswd, "victim:x:4242:4242::/:/bin/sh\n");
    CorpusCases.Outcome o =
        build(
            "FROM busybox\n"
                + "RUN rm /etc/passwd && ln -s ../../../../../.."
                + hostPasswd
                + " /etc/passwd && ln -sf /proc/self/root/etc/group /etc/group\n"
                + "USER victim\nRUN true\n");
    assertNotEquals(0, o.exit());
    assertTrue(o.err().contains("unable to find user victim"), o.err());
    victim.assertUntouched();
  }

  @Test
  void aHugeUserDatabaseIsRefusedByName() throws IOException {
    CorpusCases.Outcome o =
        build(
            "FROM busybox\n"
                + "RUN dd if=/dev/zero of=/etc/group bs=1M seek=17 count=0 2>/dev/null\n"
                + "RUN true\n");
    assertNotEquals(0, o.exit());
    assertTrue(
        o.err().lines().findFirst().orElse("").contains("/etc/group is larger than"), o.err());
  }
}
