package dev.jbuild.builder.steps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.copy.RootfsView;
import dev.jbuild.builder.errors.StepFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** COPY --chown values resolved as docker build (BuildKit) resolves them; rows checked there. */
class ChownTest {
  @TempDir Path dir;
  RootfsView rootfs;

  @BeforeEach
  void image() throws IOException {
    Files.createDirectories(dir.resolve("etc"));
    Files.writeString(
        dir.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\nsvc:x:300:301::/:/bin/sh\n");
    Files.writeString(dir.resolve("etc/group"), "root:x:0:\nsvcg:x:301:\nextra:x:302:\n");
    rootfs = RootfsView.layers(List.of(dir));
  }

  private long[] resolve(String spec) throws Exception {
    return Chown.parse(spec).resolve(rootfs);
  }

  @Test
  void resolvesLikeDockerBuild() throws Exception {
    assertArrayEquals(new long[] {1000, 1000}, resolve("1000"));
    assertArrayEquals(new long[] {300, 301}, resolve("svc"));
    assertArrayEquals(new long[] {300, 302}, resolve("svc:extra"));
    assertArrayEquals(new long[] {0, 302}, resolve(":extra"));
    assertArrayEquals(new long[] {300, 302}, resolve("300:302"));
    assertArrayEquals(new long[] {5, 7}, Chown.parse("5:7").resolve(null));
  }

  @Test
  void unknownNamesAreErrorsNamingThem() {
    StepFailure u = assertThrows(StepFailure.class, () -> resolve("nobody"));
    assertTrue(u.getMessage().contains("no such user: nobody"), u.getMessage());
    StepFailure g = assertThrows(StepFailure.class, () -> resolve("svc:staff"));
    assertTrue(g.getMessage().contains("no such group: staff"), g.getMessage());
  }
}
