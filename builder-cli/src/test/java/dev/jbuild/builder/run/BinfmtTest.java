package dev.jbuild.builder.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.layercache.model.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** binfmt_misc detection on a fake /proc/sys/fs/binfmt_misc (its files are untrusted). */
class BinfmtTest {
  @TempDir Path dir;

  private static final String AARCH64 =
      """
      enabled
      interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
      flags: PF
      offset 0
      magic 7f454c460201010000000000000000000200b700
      mask ffffffffffffff00fffffffffffffffffeffffff
      """;

  private static final String RISCV64_DISABLED =
      """
      disabled
      interpreter /usr/libexec/qemu-binfmt/riscv64-binfmt-P
      flags: PF
      offset 0
      magic 7f454c460201010000000000000000000200f300
      mask ffffffffffffff00fffffffffffffffffeffffff
      """;

  private static final String S390X_NO_F =
      """
      enabled
      interpreter /usr/bin/qemu-s390x
      flags: P
      offset 0
      magic 7f454c4602020100000000000000000000020016
      mask ffffffffffffff00fffffffffffffffffffeffff
      """;

  private void write(String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text);
  }

  @Test
  void handlersAreReadFromTheirMagic() throws IOException {
    write("status", "enabled\n");
    write("register", "");
    write("qemu-aarch64", AARCH64);
    write("qemu-riscv64", RISCV64_DISABLED);
    write("qemu-s390x", S390X_NO_F);
    write(
        "python3.11",
        "enabled\ninterpreter /usr/bin/python3.11\nflags: \noffset 0\nmagic 550d0d0a\n");
    write("garbage", "enabled\noffset zero\nmagic zz\n");
    write("huge", "enabled\n" + "x".repeat(Binfmt.MAX_FILE) + "\n");
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("qemu-aarch64"));

    List<Binfmt.Handler> handlers = Binfmt.handlers(dir);
    assertEquals(
        List.of("qemu-aarch64", "qemu-riscv64", "qemu-s390x"),
        handlers.stream().map(Binfmt.Handler::name).toList());
    assertEquals(Platform.linux("arm64"), handlers.get(0).platform());
    assertEquals(Platform.linux("riscv64"), handlers.get(1).platform());
    assertEquals(Platform.linux("s390x"), handlers.get(2).platform());
    assertTrue(handlers.get(0).usable());
    assertFalse(handlers.get(1).usable(), "disabled");
    assertFalse(handlers.get(2).usable(), "no F flag: the interpreter is not in the container");

    assertTrue(Binfmt.runnable(dir).contains(Platform.linux("arm64")));
    assertTrue(Binfmt.canRun(Platform.parse("linux/arm64/v8"), dir));
    assertTrue(Binfmt.canRun(Platform.host(), dir));
    assertFalse(Binfmt.canRun(Platform.linux("riscv64"), dir));
  }

  @Test
  void noHandlerIsAClearErrorNamingThePlatformAndTheFix() throws IOException {
    write("status", "enabled\n");
    StepFailure f =
        assertThrows(
            StepFailure.class, () -> Binfmt.requireRunnable(Platform.linux("ppc64le"), dir));
    assertTrue(
        f.getMessage().startsWith("cannot run a linux/ppc64le binary on this "), f.getMessage());
    assertTrue(
        f.getMessage().contains("no binfmt_misc handler for it is registered in " + dir),
        f.getMessage());
    assertTrue(
        f.getMessage().contains("apt-get install qemu-user-static binfmt-support"), f.getMessage());

    write("qemu-riscv64", RISCV64_DISABLED);
    f =
        assertThrows(
            StepFailure.class, () -> Binfmt.requireRunnable(Platform.linux("riscv64"), dir));
    assertTrue(
        f.getMessage().contains(dir.resolve("qemu-riscv64") + " is disabled or registered without"),
        f.getMessage());
  }

  @Test
  void binfmtMiscOffOrAbsentMeansOnlyTheHost() throws IOException {
    write("qemu-aarch64", AARCH64);
    write("status", "disabled\n");
    assertEquals(List.of(), Binfmt.handlers(dir));
    assertFalse(
        Binfmt.canRun(Platform.linux("arm64"), dir)
            && !Platform.host().architecture().equals("arm64"));
    Path none = dir.resolve("absent");
    assertTrue(Binfmt.canRun(Platform.host(), none));
    assertEquals(List.of(), Binfmt.handlers(none));
  }

  @Test
  void elfMachinesMapToPlatforms() {
    assertEquals(
        Platform.linux("amd64"),
        Binfmt.elfPlatform(
                java.util.HexFormat.of().parseHex("7f454c4602010100000000000000000002003e00"))
            .orElseThrow());
    assertEquals(
        Platform.parse("linux/arm/v7"),
        Binfmt.elfPlatform(
                java.util.HexFormat.of().parseHex("7f454c4601010100000000000000000002002800"))
            .orElseThrow());
    assertEquals(
        Platform.linux("sparc64"),
        Binfmt.elfPlatform(
                java.util.HexFormat.of().parseHex("7f454c460202010000000000000000000002002b"))
            .orElseThrow());
    assertTrue(Binfmt.elfPlatform(new byte[] {0x7f, 'E', 'L', 'F'}).isEmpty());
    assertTrue(
        Binfmt.elfPlatform(
                java.util.HexFormat.of().parseHex("4d5a000000000000000000000000000000000000"))
            .isEmpty());
  }
}
